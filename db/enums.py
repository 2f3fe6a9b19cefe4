"""Every enumeration stored in the database, in one place.

Values are stored as their names (VARCHAR), so adding a value needs no type migration on
PostgreSQL and behaves the same on SQLite.
"""

from __future__ import annotations

from enum import StrEnum


class LifecycleStage(StrEnum):
    REACH = "REACH"
    ACQUISITION = "ACQUISITION"
    CONVERSION = "CONVERSION"
    RETENTION = "RETENTION"
    ADVOCACY = "ADVOCACY"
    CHURNED = "CHURNED"


class LeadStatus(StrEnum):
    OPEN = "OPEN"
    CONTACTED = "CONTACTED"
    QUALIFIED = "QUALIFIED"
    UNQUALIFIED = "UNQUALIFIED"
    CONVERTED = "CONVERTED"


class OpportunityStage(StrEnum):
    PROSPECTING = "PROSPECTING"
    QUALIFICATION = "QUALIFICATION"
    PROPOSAL = "PROPOSAL"
    NEGOTIATION = "NEGOTIATION"
    CLOSED_WON = "CLOSED_WON"
    CLOSED_LOST = "CLOSED_LOST"


class ForecastCategory(StrEnum):
    PIPELINE = "PIPELINE"
    BEST_CASE = "BEST_CASE"
    COMMIT = "COMMIT"
    CLOSED = "CLOSED"
    OMITTED = "OMITTED"


class CaseStatus(StrEnum):
    NEW = "NEW"
    OPEN = "OPEN"
    PENDING = "PENDING"
    ESCALATED = "ESCALATED"
    RESOLVED = "RESOLVED"
    CLOSED = "CLOSED"


class CasePriority(StrEnum):
    LOW = "LOW"
    MEDIUM = "MEDIUM"
    HIGH = "HIGH"
    URGENT = "URGENT"


class CaseOrigin(StrEnum):
    EMAIL = "EMAIL"
    PHONE = "PHONE"
    WEB = "WEB"
    CHAT = "CHAT"


class CampaignStatus(StrEnum):
    PLANNED = "PLANNED"
    ACTIVE = "ACTIVE"
    COMPLETED = "COMPLETED"
    CANCELLED = "CANCELLED"


class CampaignType(StrEnum):
    EMAIL = "EMAIL"
    BLOG = "BLOG"
    ADVERTISEMENT = "ADVERTISEMENT"
    SOCIAL = "SOCIAL"
    EVENT = "EVENT"
    WEBINAR = "WEBINAR"
    CONTENT = "CONTENT"
    REFERRAL = "REFERRAL"
    OTHER = "OTHER"


class ActivityType(StrEnum):
    CALL = "CALL"
    EMAIL = "EMAIL"
    MEETING = "MEETING"
    NOTE = "NOTE"
    TASK = "TASK"
    VIDEO_CALL = "VIDEO_CALL"


class UserRole(StrEnum):
    """What a person does in the CRM (owner of records, agent on cases)."""

    ADMIN = "ADMIN"
    MANAGER = "MANAGER"
    SALES = "SALES"
    SUPPORT = "SUPPORT"
    MARKETING = "MARKETING"


class ApiKeyRole(StrEnum):
    """What an API key may do; enforced per role in a later step, stored from the start."""

    ADMIN = "ADMIN"
    MEMBER = "MEMBER"
    READ_ONLY = "READ_ONLY"


class EntityType(StrEnum):
    """The record types whose stage or status the lifecycle engine moves."""

    ACCOUNT = "ACCOUNT"
    CONTACT = "CONTACT"
    LEAD = "LEAD"
    OPPORTUNITY = "OPPORTUNITY"
    CASE = "CASE"
    CAMPAIGN = "CAMPAIGN"


class StageChangeCause(StrEnum):
    """Why a stage changed: a person's move, or what triggered an automatic one."""

    CREATED = "CREATED"
    MANUAL = "MANUAL"
    LEAD_CONVERSION = "LEAD_CONVERSION"
    FIRST_PURCHASE = "FIRST_PURCHASE"
    REPEAT_PURCHASE = "REPEAT_PURCHASE"
    REACTIVATION = "REACTIVATION"
    REFERRAL = "REFERRAL"
