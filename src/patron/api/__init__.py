"""The HTTP edges: dialect routers, middleware and error rendering."""
