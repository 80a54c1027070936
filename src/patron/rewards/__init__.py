"""Rewards: the one module that issues them, exactly once per source, threshold, window and contact."""
