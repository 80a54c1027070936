"""Errors of the contacts flow, with Engage's keys."""

from typing import Any

from patron.errors import PatronError, error

ContactNotFound = error(404, "ContactNotFound", "No contact matches.")
ContactAlreadyExists = error(409, "ContactAlreadyExists", "A contact with that unique key exists already.")
AlreadyMember = error(409, "AlreadyMember", "The contact is a member already.")
ImportNotFound = error(404, "BatchNotFound", "No bulk import with that batchId.")


class MultipleMatchesFound(PatronError):
    """A lookup's key matches more than one contact. Engage integrations read the ids from
    `messageDetails.multipleMatchesFound`, so the envelope carries them there as well."""

    status = 409
    key = "MultipleMatchesFound"
    default_message = "More than one contact matches."

    def envelope(self, request_id: str | None) -> dict[str, Any]:
        return {**super().envelope(request_id), "messageDetails": self.details}
