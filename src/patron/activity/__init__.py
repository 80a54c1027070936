"""The activity ledger's subscription point: engines react to stored activity here."""
