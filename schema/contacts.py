"""Contacts: people, with their deals, cases, referrals and timeline."""

from typing import Annotated

import strawberry

from db.models import Account as AccountModel
from db.models import Activity as ActivityModel
from db.models import Case as CaseModel
from db.models import Contact as ContactModel
from db.models import Lead as LeadModel
from db.models import Opportunity as OpportunityModel
from resolvers import contacts
from schema.enums import LifecycleStage
from schema.fields import ImportFields, OwnedFields, reference
from schema.lifecycle import LifecycleFields, transition_mutation
from schema.records import crud_mutations, list_field, related_connection
from schema.relay import Connection, Node


@strawberry.type(description="A person, usually at an account.")
class Contact(Node, OwnedFields, LifecycleFields):
    first_name: str | None
    last_name: str
    email: str | None
    phone: str | None
    job_title: str | None
    lifecycle_stage: LifecycleStage = strawberry.field(
        description="Where the person is in the customer lifecycle; changed only by transitions."
    )

    @strawberry.field(description="First and last name together.")
    def name(self) -> str:
        return " ".join(part for part in (self.first_name, self.last_name) if part)

    account = reference(
        Annotated["Account", strawberry.lazy("schema.accounts")],
        AccountModel,
        "account_id",
        "The organization the person works at.",
    )
    opportunities = related_connection(
        Annotated["OpportunityConnection", strawberry.lazy("schema.opportunities")],
        OpportunityModel.primary_contact_id,
        "Deals where this person is the primary contact.",
    )
    cases = related_connection(
        Annotated["CaseConnection", strawberry.lazy("schema.cases")],
        CaseModel.contact_id,
        "Support cases raised by this person.",
    )
    referred_leads = related_connection(
        Annotated["LeadConnection", strawberry.lazy("schema.leads")],
        LeadModel.referred_by_id,
        "Leads this person referred (advocacy).",
    )
    activities = related_connection(
        Annotated["ActivityConnection", strawberry.lazy("schema.activities")],
        ActivityModel.contact_id,
        "The person's timeline.",
    )


@strawberry.type
class ContactConnection(Connection[Contact]):
    pass


@strawberry.input
class ContactCreateInput(ImportFields):
    last_name: str
    first_name: str | None = None
    email: str | None = None
    phone: str | None = None
    job_title: str | None = None
    account_id: strawberry.ID | None = None
    owner_id: strawberry.ID | None = None


@strawberry.type
class ContactQuery:
    contacts = list_field(ContactConnection, ContactModel, "Contacts of the workspace.")


ContactMutation = crud_mutations(
    "Contact",
    Contact,
    ContactModel,
    ContactCreateInput,
    contacts,
    extra={
        "contact_transition": transition_mutation("Contact", ContactModel, LifecycleStage, Contact)
    },
)
