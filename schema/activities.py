"""Activities: the timeline entries of accounts, contacts, leads, opportunities and cases."""

from datetime import datetime
from typing import Annotated

import strawberry

from db.models import Account as AccountModel
from db.models import Activity as ActivityModel
from db.models import Case as CaseModel
from db.models import Contact as ContactModel
from db.models import Lead as LeadModel
from db.models import Opportunity as OpportunityModel
from resolvers import activities
from schema.enums import ActivityType
from schema.fields import ImportFields, OwnedFields, reference
from schema.records import crud_mutations, list_field
from schema.relay import Connection, Node


@strawberry.type(description="A call, email, meeting, note or task.")
class Activity(Node, OwnedFields):
    type: ActivityType
    subject: str
    body: str | None
    occurred_at: datetime | None = strawberry.field(description="When it happened.")
    due_at: datetime | None = strawberry.field(description="When it is due (tasks).")
    completed: bool
    account = reference(
        Annotated["Account", strawberry.lazy("schema.accounts")],
        AccountModel,
        "account_id",
        "Linked account.",
    )
    contact = reference(
        Annotated["Contact", strawberry.lazy("schema.contacts")],
        ContactModel,
        "contact_id",
        "Linked contact.",
    )
    lead = reference(
        Annotated["Lead", strawberry.lazy("schema.leads")], LeadModel, "lead_id", "Linked lead."
    )
    opportunity = reference(
        Annotated["Opportunity", strawberry.lazy("schema.opportunities")],
        OpportunityModel,
        "opportunity_id",
        "Linked opportunity.",
    )
    case = reference(
        Annotated["Case", strawberry.lazy("schema.cases")], CaseModel, "case_id", "Linked case."
    )


@strawberry.type
class ActivityConnection(Connection[Activity]):
    pass


@strawberry.input
class ActivityCreateInput(ImportFields):
    type: ActivityType
    subject: str
    body: str | None = None
    occurred_at: datetime | None = strawberry.field(
        default=None, description="Defaults to now for anything but a task, unless dueAt is given."
    )
    due_at: datetime | None = None
    completed: bool = False
    account_id: strawberry.ID | None = None
    contact_id: strawberry.ID | None = None
    lead_id: strawberry.ID | None = None
    opportunity_id: strawberry.ID | None = None
    case_id: strawberry.ID | None = None
    owner_id: strawberry.ID | None = None


@strawberry.type
class ActivityQuery:
    activities = list_field(ActivityConnection, ActivityModel, "Activities of the workspace.")


ActivityMutation = crud_mutations(
    "Activity", Activity, ActivityModel, ActivityCreateInput, activities
)
