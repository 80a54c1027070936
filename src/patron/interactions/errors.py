"""Errors of interactions and their schemas."""

from patron.errors import error

InteractionSchemaNotFound = error(404, "InteractionSchemaNotFound", "No interaction schema with that id.")
InteractionSchemaAlreadyExists = error(
    409, "InteractionSchemaAlreadyExists", "An interaction schema has that id."
)
InteractionSchemaInUse = error(
    409, "InteractionSchemaInUse", "Interactions of this schema are stored; delete them first."
)
InteractionNotFound = error(404, "InteractionNotFound", "No interaction with that id.")
InvalidInteractionSchema = error(400, "InvalidInteractionSchema", "jsonSchema is not a valid JSON Schema.")
InvalidInteractionPayload = error(
    400, "InvalidInteractionPayload", "The payload does not match its interaction schema."
)
