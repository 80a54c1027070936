"""Engage challenges: definitions, a contact's challenges, the checkpoint log, receipt-driven checkpoints."""
