"""Errors of the store register."""

from patron.errors import error

StoreNotFound = error(404, "StoreNotFound", "No store with that externalId.")
StoreAlreadyExists = error(409, "StoreAlreadyExists", "A store with that externalId exists already.")
