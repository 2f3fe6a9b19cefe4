"""Marketing campaigns."""

from datetime import date
from decimal import Decimal
from typing import Annotated

import strawberry

from db.models import Campaign as CampaignModel
from db.models import Lead as LeadModel
from db.models import Opportunity as OpportunityModel
from resolvers import campaigns
from schema.enums import CampaignStatus, CampaignType
from schema.fields import ImportFields, OwnedFields
from schema.lifecycle import LifecycleFields, transition_mutation
from schema.records import crud_mutations, list_field, related_connection
from schema.relay import Connection, Node


@strawberry.type(description="A marketing effort that sources leads and opportunities.")
class Campaign(Node, OwnedFields, LifecycleFields):
    name: str
    type: CampaignType
    status: CampaignStatus = strawberry.field(description="Changed only by transitions.")
    budget: Decimal | None
    actual_cost: Decimal | None
    currency: str = strawberry.field(description="ISO 4217 code of budget and cost.")
    start_date: date | None
    end_date: date | None
    leads = related_connection(
        Annotated["LeadConnection", strawberry.lazy("schema.leads")],
        LeadModel.campaign_id,
        "Leads this campaign sourced.",
    )
    opportunities = related_connection(
        Annotated["OpportunityConnection", strawberry.lazy("schema.opportunities")],
        OpportunityModel.campaign_id,
        "Deals this campaign sourced.",
    )


@strawberry.type
class CampaignConnection(Connection[Campaign]):
    pass


@strawberry.input
class CampaignCreateInput(ImportFields):
    name: str
    type: CampaignType
    budget: Decimal | None = None
    actual_cost: Decimal | None = None
    currency: str | None = strawberry.field(
        default=None, description="ISO 4217 code; the workspace's default currency when left out."
    )
    start_date: date | None = None
    end_date: date | None = strawberry.field(default=None, description="Not before the start date.")
    owner_id: strawberry.ID | None = None


@strawberry.type
class CampaignQuery:
    campaigns = list_field(CampaignConnection, CampaignModel, "Campaigns of the workspace.")


CampaignMutation = crud_mutations(
    "Campaign",
    Campaign,
    CampaignModel,
    CampaignCreateInput,
    campaigns,
    extra={
        "campaign_transition": transition_mutation(
            "Campaign", CampaignModel, CampaignStatus, Campaign
        )
    },
)
