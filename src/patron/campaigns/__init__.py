"""Campaigns: action-based and referral campaigns driven by custom events, their rules on the
one progress engine, and each customer's reward progress (the campaigns dialect, API.md §3)."""
