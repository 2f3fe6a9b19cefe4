"""Support cases."""

from typing import Annotated

import strawberry

from db.models import Account as AccountModel
from db.models import Activity as ActivityModel
from db.models import Case as CaseModel
from db.models import Contact as ContactModel
from resolvers import cases
from schema.enums import CaseOrigin, CasePriority, CaseStatus
from schema.fields import OwnedFields, reference
from schema.records import crud_mutations, list_field
from schema.relay import ArchiveScope, Connection, Node, related_connection


@strawberry.input
class CaseFilter:
    archived: ArchiveScope = ArchiveScope.ACTIVE


@strawberry.type(description="A support request from a customer.")
class Case(Node, OwnedFields):
    subject: str
    description: str | None
    priority: CasePriority
    origin: CaseOrigin | None
    status: CaseStatus = strawberry.field(description="Changed only by transitions.")
    account = reference(
        Annotated["Account", strawberry.lazy("schema.accounts")],
        AccountModel,
        "account_id",
        "The customer organization.",
    )
    contact = reference(
        Annotated["Contact", strawberry.lazy("schema.contacts")],
        ContactModel,
        "contact_id",
        "The person who raised the case.",
    )
    activities = related_connection(
        Annotated["ActivityConnection", strawberry.lazy("schema.activities")],
        ActivityModel,
        ActivityModel.case_id,
        Annotated["ActivityFilter", strawberry.lazy("schema.activities")],
        "The case's timeline.",
    )


@strawberry.type
class CaseConnection(Connection[Case]):
    pass


@strawberry.input
class CaseCreateInput:
    subject: str
    description: str | None = None
    priority: CasePriority = CasePriority.MEDIUM
    origin: CaseOrigin | None = None
    account_id: strawberry.ID | None = None
    contact_id: strawberry.ID | None = strawberry.field(
        default=None, description="Must belong to the case's account when both are given."
    )
    owner_id: strawberry.ID | None = None


@strawberry.type
class CaseQuery:
    cases = list_field(CaseConnection, CaseModel, CaseFilter, "Support cases of the workspace.")


CaseMutation = crud_mutations("Case", Case, CaseModel, CaseCreateInput, cases)
