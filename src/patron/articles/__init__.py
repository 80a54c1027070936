"""The article register: what the retailer sells, by article number."""
