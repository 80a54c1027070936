"""Tables, one file each. Importing this package registers all of them on the metadata."""

from patron.models.api_key import ApiKey
from patron.models.article import Article
from patron.models.assignment_job import AssignmentJob
from patron.models.campaign import Campaign, CampaignAction, CampaignRule
from patron.models.campaign_customer import CampaignCustomer, ReferralCode
from patron.models.campaign_progress import ActionProgress, RuleProgress
from patron.models.cart import Cart
from patron.models.challenge import Challenge
from patron.models.challenge_checkpoint import ChallengeCheckpoint
from patron.models.challenge_definition import ChallengeDefinition
from patron.models.contact import Contact
from patron.models.contact_import import ContactImport
from patron.models.coupon import Coupon
from patron.models.custom_event import CustomEvent
from patron.models.file_import import FileImport
from patron.models.file_import_failure import FileImportFailure
from patron.models.idempotency_record import IdempotencyRecord
from patron.models.interaction import Interaction
from patron.models.interaction_schema import InteractionSchema
from patron.models.milestone import Milestone
from patron.models.order import Order, OrderNumber
from patron.models.outbox_event import OutboxEvent
from patron.models.point_account import PointAccount
from patron.models.point_definition import PointDefinition
from patron.models.point_earning import PointEarning
from patron.models.point_rule import PointRule
from patron.models.point_transaction import PointTransaction
from patron.models.point_transaction_key import PointTransactionKey
from patron.models.points_owed import PointsOwed
from patron.models.product_view import ProductView
from patron.models.promotion import Promotion
from patron.models.promotion_assignment import PromotionAssignment
from patron.models.promotion_assignment_receipt import PromotionAssignmentReceipt
from patron.models.receipt import Receipt
from patron.models.receipt_batch import ReceiptBatch
from patron.models.receipt_line import ReceiptLine
from patron.models.receipt_payment import ReceiptPayment
from patron.models.record_definition import RecordDefinition
from patron.models.record_icon import RecordIcon
from patron.models.record_log import RecordLog
from patron.models.record_progress import RecordProgress
from patron.models.reward import Reward
from patron.models.sealing_key import SealingKey
from patron.models.segment import Segment
from patron.models.segment_assignment import SegmentAssignment
from patron.models.segment_member import SegmentMember
from patron.models.store import Store
from patron.models.webhook_attempt import WebhookAttempt
from patron.models.webhook_delivery import WebhookDelivery
from patron.models.webhook_endpoint import WebhookEndpoint

__all__ = [
    "ActionProgress",
    "ApiKey",
    "Article",
    "AssignmentJob",
    "Campaign",
    "CampaignAction",
    "CampaignCustomer",
    "CampaignRule",
    "Cart",
    "Challenge",
    "ChallengeCheckpoint",
    "ChallengeDefinition",
    "Contact",
    "ContactImport",
    "Coupon",
    "CustomEvent",
    "FileImport",
    "FileImportFailure",
    "IdempotencyRecord",
    "Interaction",
    "InteractionSchema",
    "Milestone",
    "Order",
    "OrderNumber",
    "OutboxEvent",
    "PointAccount",
    "PointDefinition",
    "PointEarning",
    "PointRule",
    "PointTransaction",
    "PointTransactionKey",
    "PointsOwed",
    "ProductView",
    "Promotion",
    "PromotionAssignment",
    "PromotionAssignmentReceipt",
    "Receipt",
    "ReceiptBatch",
    "ReceiptLine",
    "ReceiptPayment",
    "RecordDefinition",
    "RecordIcon",
    "RecordLog",
    "RecordProgress",
    "ReferralCode",
    "Reward",
    "RuleProgress",
    "SealingKey",
    "Segment",
    "SegmentAssignment",
    "SegmentMember",
    "Store",
    "WebhookAttempt",
    "WebhookDelivery",
    "WebhookEndpoint",
]
