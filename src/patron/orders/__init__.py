"""Orders, carts and product views a shop tracks."""
