"""The progress engine: goals, windows, thresholds, completion, expiry and recurring restarts."""
