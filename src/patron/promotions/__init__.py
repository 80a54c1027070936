"""Multichannel promotions (personal offers): definitions, assignments and redemption."""
