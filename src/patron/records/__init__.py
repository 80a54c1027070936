"""Challenges and streaks of the record dialect: definitions, milestones, logs, progress, reward logs."""
