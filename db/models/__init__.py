"""Every model, imported here so that `Base.metadata` (Alembic's target) knows them all."""

from db.models.account import Account
from db.models.activity import Activity
from db.models.campaign import Campaign
from db.models.case import Case
from db.models.contact import Contact
from db.models.lead import Lead
from db.models.opportunity import Opportunity, OpportunityLineItem
from db.models.product import Product
from db.models.sla_policy import SlaPolicy
from db.models.stage_change import StageChange
from db.models.user import User
from db.models.workspace import ApiKey, Workspace

__all__ = [
    "Account",
    "Activity",
    "ApiKey",
    "Campaign",
    "Case",
    "Contact",
    "Lead",
    "Opportunity",
    "OpportunityLineItem",
    "Product",
    "SlaPolicy",
    "StageChange",
    "User",
    "Workspace",
]
