"""Leads: prospects before qualification."""

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from db.models import Account as AccountModel
from db.models import Activity as ActivityModel
from db.models import Campaign as CampaignModel
from db.models import Contact as ContactModel
from db.models import Lead as LeadModel
from db.models import Opportunity as OpportunityModel
from resolvers import leads
from schema.enums import LeadStatus
from schema.errors import UserError
from schema.fields import ImportFields, OwnedFields, reference
from schema.lifecycle import LifecycleFields, transition_mutation
from schema.records import crud_mutations, input_data, list_field, related_connection, run_write
from schema.relay import Connection, Node

AccountType = Annotated["Account", strawberry.lazy("schema.accounts")]
ContactType = Annotated["Contact", strawberry.lazy("schema.contacts")]
OpportunityType = Annotated["Opportunity", strawberry.lazy("schema.opportunities")]


@strawberry.type(description="A prospect not yet qualified into an account and a contact.")
class Lead(Node, OwnedFields, LifecycleFields):
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
        ActivityModel.lead_id,
        "The lead's timeline.",
    )
    converted_at: datetime | None = strawberry.field(description="When the lead was converted.")
    converted_account = reference(
        AccountType, AccountModel, "converted_account_id", "The account the lead became."
    )
    converted_contact = reference(
        ContactType, ContactModel, "converted_contact_id", "The contact the lead became."
    )
    converted_opportunity = reference(
        OpportunityType,
        OpportunityModel,
        "converted_opportunity_id",
        "The opportunity created on conversion, if any.",
    )


@strawberry.type
class LeadConnection(Connection[Lead]):
    pass


@strawberry.input
class LeadCreateInput(ImportFields):
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
    leads = list_field(LeadConnection, LeadModel, "Leads of the workspace.")


@strawberry.input(description="Convert a lead; reuse an existing account or contact by id.")
class LeadConvertInput:
    lead_id: strawberry.ID
    account_id: strawberry.ID | None = strawberry.field(
        default=None, description="Attach to this account instead of creating one."
    )
    contact_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="Attach to this contact instead of creating one; it must belong to the "
        "account. Only its empty fields are filled from the lead.",
    )
    create_opportunity: bool = False
    opportunity_name: str | None = None
    amount: Decimal | None = None
    expected_version: int | None = strawberry.field(
        default=None, description="Refuse with VERSION_CONFLICT unless the lead is at it."
    )
    occurred_at: datetime | None = strawberry.field(
        default=None, description="For imports (ADMIN keys): when the conversion happened."
    )


@strawberry.type
class LeadConvertPayload:
    lead: Lead | None = None
    account: AccountType | None = None
    contact: ContactType | None = None
    opportunity: OpportunityType | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


async def convert_lead(info: Info, input: LeadConvertInput) -> LeadConvertPayload:
    data = input_data(input, creating=True)
    return await run_write(
        info,
        LeadConvertPayload,
        "lead",
        leads.convert,
        fields=_conversion_fields,
        writes_history=True,
        global_id=data.pop("lead_id"),
        expected_version=data.pop("expected_version", None),
        data=data,
    )


def _conversion_fields(conversion: Any) -> dict[str, Any]:
    return {
        "lead": conversion.lead,
        "account": conversion.account,
        "contact": conversion.contact,
        "opportunity": conversion.opportunity,
    }


LeadMutation = crud_mutations(
    "Lead",
    Lead,
    LeadModel,
    LeadCreateInput,
    leads,
    extra={
        "lead_transition": transition_mutation("Lead", LeadModel, LeadStatus, Lead),
        "lead_convert": strawberry.mutation(
            resolver=convert_lead,
            description="Convert a lead into an account, a contact and optionally an "
            "opportunity, in one transaction.",
        ),
    },
)
