"""Domain-free helpers: clock, ids, paging, secrets."""
