"""Errors of point accounts."""

from patron.errors import error

PointDefinitionNotFound = error(404, "PointDefinitionNotFound", "No point definition with that id.")
PointDefinitionAlreadyExists = error(409, "PointDefinitionAlreadyExists", "A point definition has that name.")
PointAccountNotFound = error(404, "PointAccountNotFound", "No point account with that id.")
PointTransactionNotFound = error(404, "PointTransactionNotFound", "No point transaction with that id.")
