"""Errors of the contacts flow, with Engage's keys."""

from patron.errors import error

ContactNotFound = error(404, "ContactNotFound", "No contact matches.")
ContactAlreadyExists = error(409, "ContactAlreadyExists", "A contact with that unique key exists already.")
AlreadyMember = error(409, "AlreadyMember", "The contact is a member already.")
ImportNotFound = error(404, "BatchNotFound", "No bulk import with that batchId.")
