"""Who is calling and what they may do: API keys and roles."""
