"""The store register: physical shops and online channels."""
