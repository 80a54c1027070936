"""The console's pages, one module a page family."""
