"""Engage interactions: schemas a retailer defines, and each contact's interactions of them."""
