"""Leads: prospects before qualification."""

from typing import Annotated

import strawberry

from db.models import Activity as ActivityModel
from db.models import Campaign as CampaignModel
from db.models import Contact as ContactModel
from db.models import Lead as LeadModel
from resolvers import leads
from schema.enums import LeadStatus
from schema.fields import OwnedFields, reference
from schema.records import crud_mutations, list_field
from schema.relay import ArchiveScope, Connection, Node, related_connection


@strawberry.input
class LeadFilter:
    archived: ArchiveScope = ArchiveScope.ACTIVE


@strawberry.type(description="A prospect not yet qualified into an account and a contact.")
class Lead(Node, OwnedFields):
    first_name: str | None
    last_name: str
    company: str | None
    title: str | None
    email: str | None
    phone: str | None
    status: LeadStatus = strawberry.field(description="Changed only by transitions and conversion.")

    @strawberry.field(description="First and last name together.")
    def name(self) -> str:
        return " ".join(part for part in (self.first_name, self.last_name) if part)

    campaign = reference(
        Annotated["Campaign", strawberry.lazy("schema.campaigns")],
        CampaignModel,
        "campaign_id",
        "The campaign that sourced this lead.",
    )
    referred_by = reference(
        Annotated["Contact", strawberry.lazy("schema.contacts")],
        ContactModel,
        "referred_by_id",
        "The contact who referred this lead.",
    )
    activities = related_connection(
        Annotated["ActivityConnection", strawberry.lazy("schema.activities")],
        ActivityModel,
        ActivityModel.lead_id,
        Annotated["ActivityFilter", strawberry.lazy("schema.activities")],
        "The lead's timeline.",
    )


@strawberry.type
class LeadConnection(Connection[Lead]):
    pass


@strawberry.input
class LeadCreateInput:
    last_name: str
    first_name: str | None = None
    company: str | None = None
    title: str | None = None
    email: str | None = None
    phone: str | None = None
    campaign_id: strawberry.ID | None = strawberry.field(
        default=None, description="Source campaign."
    )
    referred_by_id: strawberry.ID | None = strawberry.field(
        default=None, description="The contact who referred this lead."
    )
    owner_id: strawberry.ID | None = None


@strawberry.type
class LeadQuery:
    leads = list_field(LeadConnection, LeadModel, LeadFilter, "Leads of the workspace.")


LeadMutation = crud_mutations("Lead", Lead, LeadModel, LeadCreateInput, leads)
