"""The campaigns dialect's edge: customers, custom events, campaigns and reward progress,
wallets and coupons (API.md §3), in snake_case with its own error keys."""
