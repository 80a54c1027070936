"""Tables, one file each. Importing this package registers all of them on the metadata."""

from patron.models.api_key import ApiKey
from patron.models.challenge import Challenge
from patron.models.challenge_checkpoint import ChallengeCheckpoint
from patron.models.challenge_definition import ChallengeDefinition
from patron.models.contact import Contact
from patron.models.contact_import import ContactImport
from patron.models.idempotency_record import IdempotencyRecord
from patron.models.point_account import PointAccount
from patron.models.point_definition import PointDefinition
from patron.models.point_transaction import PointTransaction
from patron.models.reward import Reward
from patron.models.store import Store

__all__ = [
    "ApiKey",
    "Challenge",
    "ChallengeCheckpoint",
    "ChallengeDefinition",
    "Contact",
    "ContactImport",
    "IdempotencyRecord",
    "PointAccount",
    "PointDefinition",
    "PointTransaction",
    "Reward",
    "Store",
]
