"""Accounts: organizations, with their contacts, deals, cases and timeline."""

from decimal import Decimal
from typing import Annotated

import strawberry
from strawberry.types import Info

from db.models import Account as AccountModel
from db.models import Activity as ActivityModel
from db.models import Case as CaseModel
from db.models import Contact as ContactModel
from db.models import Opportunity as OpportunityModel
from resolvers import accounts
from schema.common import Address, AddressInput
from schema.enums import LifecycleStage
from schema.fields import ImportFields, OwnedFields, reference
from schema.lifecycle import LifecycleFields, transition_mutation
from schema.records import crud_mutations, list_field, related_connection
from schema.relay import Connection, Node

ContactConnection = Annotated["ContactConnection", strawberry.lazy("schema.contacts")]
OpportunityConnection = Annotated["OpportunityConnection", strawberry.lazy("schema.opportunities")]
CaseConnection = Annotated["CaseConnection", strawberry.lazy("schema.cases")]
ActivityConnection = Annotated["ActivityConnection", strawberry.lazy("schema.activities")]


@strawberry.type(description="An organization: prospect, customer or partner.")
class Account(Node, OwnedFields, LifecycleFields):
    name: str
    website: str | None
    industry: str | None
    employee_count: int | None
    annual_revenue: Decimal | None = strawberry.field(description="In the account's currency.")
    currency: str = strawberry.field(description="ISO 4217 code of the account's amounts.")
    phone: str | None
    lifecycle_stage: LifecycleStage = strawberry.field(
        description="Where the customer is in its lifecycle; changed only by transitions."
    )

    @strawberry.field(description="What the account has won, and is predicted to be worth.")
    async def lifetime_value(
        self, info: Info
    ) -> Annotated["LifetimeValue", strawberry.lazy("schema.metrics")]:
        return await info.context.loaders.lifetime_value().load(self.id)  # type: ignore[attr-defined,no-any-return]

    @strawberry.field
    def billing_address(self) -> Address | None:
        parts = ("street", "city", "state", "postal_code", "country")
        values = {part: getattr(self, f"billing_{part}") for part in parts}
        return Address(**values) if any(values.values()) else None

    parent = reference(
        Annotated["Account", strawberry.lazy("schema.accounts")],
        AccountModel,
        "parent_id",
        "The account this one belongs to (a subsidiary's parent).",
    )
    child_accounts = related_connection(
        Annotated["AccountConnection", strawberry.lazy("schema.accounts")],
        AccountModel.parent_id,
        "Accounts whose parent is this account.",
    )
    contacts = related_connection(
        ContactConnection,
        ContactModel.account_id,
        "People at this account.",
    )
    opportunities = related_connection(
        OpportunityConnection,
        OpportunityModel.account_id,
        "Deals with this account.",
    )
    cases = related_connection(
        CaseConnection,
        CaseModel.account_id,
        "Support cases of this account.",
    )
    activities = related_connection(
        ActivityConnection,
        ActivityModel.account_id,
        "The account's timeline: calls, emails, meetings, notes and tasks.",
    )


@strawberry.type
class AccountConnection(Connection[Account]):
    pass


@strawberry.input
class AccountCreateInput(ImportFields):
    name: str
    website: str | None = strawberry.field(
        default=None, description="http(s) URL; a bare domain means https."
    )
    industry: str | None = None
    employee_count: int | None = None
    annual_revenue: Decimal | None = None
    currency: str | None = strawberry.field(
        default=None, description="ISO 4217 code; the workspace's default currency when left out."
    )
    phone: str | None = None
    billing_address: AddressInput | None = None
    parent_id: strawberry.ID | None = None
    owner_id: strawberry.ID | None = None


@strawberry.type
class AccountQuery:
    accounts = list_field(AccountConnection, AccountModel, "Accounts of the workspace.")


AccountMutation = crud_mutations(
    "Account",
    Account,
    AccountModel,
    AccountCreateInput,
    accounts,
    extra={
        "account_transition": transition_mutation("Account", AccountModel, LifecycleStage, Account)
    },
)
