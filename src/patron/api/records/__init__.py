"""The record dialect's edge: `/schema/{type}/record` (API.md §2)."""
