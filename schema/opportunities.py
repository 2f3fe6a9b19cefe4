"""Opportunities and their product line items."""

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

import strawberry

from db.models import Account as AccountModel
from db.models import Activity as ActivityModel
from db.models import Campaign as CampaignModel
from db.models import Contact as ContactModel
from db.models import Opportunity as OpportunityModel
from db.models import OpportunityLineItem as LineItemModel
from db.models import Product as ProductModel
from resolvers import opportunities
from schema.enums import ForecastCategory, OpportunityStage
from schema.fields import ImportFields, OwnedFields, RecordFields, reference
from schema.lifecycle import LifecycleFields, transition_mutation
from schema.records import crud_mutations, list_field, related_connection
from schema.relay import Connection, Node


@strawberry.type(description="One product on an opportunity.")
class OpportunityLineItem(Node, RecordFields):
    quantity: Decimal
    unit_price: Decimal = strawberry.field(description="In the opportunity's currency.")
    discount: Decimal = strawberry.field(description="Percent off, 0 to 100.")
    total: Decimal = strawberry.field(
        description="quantity × unitPrice × (1 − discount/100), rounded half up to cents."
    )
    product = reference(
        Annotated["Product", strawberry.lazy("schema.products")],
        ProductModel,
        "product_id",
        "The product sold.",
    )
    opportunity = reference(
        Annotated["Opportunity", strawberry.lazy("schema.opportunities")],
        OpportunityModel,
        "opportunity_id",
        "The opportunity this line belongs to.",
    )


@strawberry.type
class OpportunityLineItemConnection(Connection[OpportunityLineItem]):
    pass


@strawberry.type(description="A potential deal, moving through the sales pipeline.")
class Opportunity(Node, OwnedFields, LifecycleFields):
    name: str
    amount: Decimal | None = strawberry.field(
        description="In `currency`; the sum of the line items' totals when there are any."
    )
    currency: str = strawberry.field(description="ISO 4217 code.")
    expected_close_date: date | None
    stage: OpportunityStage = strawberry.field(description="Changed only by transitions.")
    probability: int = strawberry.field(description="Chance of winning, in percent.")
    forecast_category: ForecastCategory
    closed_at: datetime | None
    lost_reason: str | None
    account = reference(
        Annotated["Account", strawberry.lazy("schema.accounts")],
        AccountModel,
        "account_id",
        "The customer organization.",
    )
    primary_contact = reference(
        Annotated["Contact", strawberry.lazy("schema.contacts")],
        ContactModel,
        "primary_contact_id",
        "The main person on the customer's side.",
    )
    campaign = reference(
        Annotated["Campaign", strawberry.lazy("schema.campaigns")],
        CampaignModel,
        "campaign_id",
        "The campaign that sourced this deal.",
    )
    line_items = related_connection(
        OpportunityLineItemConnection,
        LineItemModel.opportunity_id,
        "Products on this deal.",
    )
    activities = related_connection(
        Annotated["ActivityConnection", strawberry.lazy("schema.activities")],
        ActivityModel.opportunity_id,
        "The deal's timeline.",
    )


@strawberry.type
class OpportunityConnection(Connection[Opportunity]):
    pass


@strawberry.input(description="A product on a deal.")
class OpportunityLineItemInput:
    product_id: strawberry.ID
    quantity: Decimal = strawberry.field(description="Greater than 0, at most 2 decimals.")
    unit_price: Decimal | None = strawberry.field(
        default=None,
        description="Defaults to the product's price when it is in the deal's currency.",
    )
    discount: Decimal | None = strawberry.field(default=None, description="Percent off, 0 to 100.")


@strawberry.input
class OpportunityCreateInput(ImportFields):
    name: str
    account_id: strawberry.ID | None = None
    primary_contact_id: strawberry.ID | None = strawberry.field(
        default=None, description="Must belong to the account when both are given."
    )
    campaign_id: strawberry.ID | None = strawberry.field(
        default=None, description="Source campaign."
    )
    amount: Decimal | None = strawberry.field(
        default=None, description="Leave out when giving line items: it is their sum."
    )
    currency: str | None = strawberry.field(
        default=None, description="ISO 4217 code; the workspace's default currency when left out."
    )
    expected_close_date: date | None = None
    owner_id: strawberry.ID | None = None
    line_items: list[OpportunityLineItemInput] | None = strawberry.field(
        default=None,
        description="The deal's products. On update they replace the current ones; an empty "
        "list or null removes them all, and the amount can then be set directly.",
    )


@strawberry.type
class OpportunityQuery:
    opportunities = list_field(
        OpportunityConnection, OpportunityModel, "Opportunities of the workspace."
    )


OpportunityMutation = crud_mutations(
    "Opportunity",
    Opportunity,
    OpportunityModel,
    OpportunityCreateInput,
    opportunities,
    extra={
        "opportunity_transition": transition_mutation(
            "Opportunity", OpportunityModel, OpportunityStage, Opportunity
        )
    },
)
