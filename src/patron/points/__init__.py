"""Point accounts: definitions, an account per contact and definition, an append-only ledger."""
