"""Support cases."""

from datetime import datetime
from typing import Annotated

import strawberry
from strawberry.types import Info

from db.models import Account as AccountModel
from db.models import Activity as ActivityModel
from db.models import Case as CaseModel
from db.models import Contact as ContactModel
from resolvers import cases
from schema.enums import CaseOrigin, CasePriority, CaseStatus
from schema.errors import UserError
from schema.fields import ImportFields, OwnedFields, reference
from schema.lifecycle import LifecycleFields, transition_mutation
from schema.records import crud_mutations, input_data, list_field, related_connection, run_write
from schema.relay import Connection, Node


@strawberry.type(description="A support request from a customer.")
class Case(Node, OwnedFields, LifecycleFields):
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
        ActivityModel.case_id,
        "The case's timeline.",
    )
    first_responded_at: datetime | None = strawberry.field(
        description="The first move out of NEW, or the first email, call or meeting on the case."
    )
    resolved_at: datetime | None = strawberry.field(description="When it was last resolved.")
    first_response_due_at: datetime | None = strawberry.field(
        description="Creation time plus the first-response target of its priority."
    )
    resolution_due_at: datetime | None = strawberry.field(
        description="Creation time plus the resolution target of its priority."
    )

    satisfaction_score: int | None = strawberry.field(
        description="The customer's rating of the case, 1 (poor) to 5 (great)."
    )
    satisfaction_recorded_at: datetime | None = strawberry.field(
        description="When the satisfaction score was given."
    )

    @strawberry.field(description="Answered late, or not yet answered and already overdue.")
    def first_response_breached(self) -> bool | None:
        return cases.breached(self.first_response_due_at, self.first_responded_at)

    @strawberry.field(description="Resolved late, or not yet resolved and already overdue.")
    def resolution_breached(self) -> bool | None:
        return cases.breached(self.resolution_due_at, self.resolved_at)


@strawberry.type
class CaseConnection(Connection[Case]):
    pass


@strawberry.input
class CaseCreateInput(ImportFields):
    subject: str
    description: str | None = None
    priority: CasePriority = CasePriority.MEDIUM
    origin: CaseOrigin | None = None
    account_id: strawberry.ID | None = None
    contact_id: strawberry.ID | None = strawberry.field(
        default=None, description="Must belong to the case's account when both are given."
    )
    owner_id: strawberry.ID | None = None
    satisfaction_score: int | None = strawberry.field(
        default=None, description="The customer's rating, 1 (poor) to 5 (great)."
    )
    satisfaction_recorded_at: datetime | None = strawberry.field(
        default=None,
        description="For imports (ADMIN keys): when the score was given; not in the future, "
        "not before the case was created. Otherwise the time of the write.",
    )


@strawberry.type
class CaseQuery:
    cases = list_field(CaseConnection, CaseModel, "Support cases of the workspace.")


@strawberry.type(description="Service targets for cases of one priority.")
class SlaPolicy:
    priority: CasePriority
    first_response_minutes: int
    resolution_minutes: int
    is_default: bool = strawberry.field(description="True while the workspace has not set it.")


@strawberry.input
class SlaPolicyUpdateInput:
    priority: CasePriority
    first_response_minutes: int
    resolution_minutes: int


@strawberry.type
class SlaPolicyUpdatePayload:
    sla_policy: SlaPolicy | None = None
    user_errors: list[UserError] = strawberry.field(default_factory=list)


@strawberry.type
class SlaQuery:
    @strawberry.field(description="The SLA targets of each case priority in this workspace.")
    async def sla_policies(self, info: Info) -> list[SlaPolicy]:
        async with info.context.reads() as session:
            return await cases.all_targets(session, principal=info.context.principal)


async def update_sla_policy(info: Info, input: SlaPolicyUpdateInput) -> SlaPolicyUpdatePayload:
    return await run_write(
        info,
        SlaPolicyUpdatePayload,
        "sla_policy",
        cases.set_targets,
        priority=input.priority,
        data=input_data(input, creating=True),
    )


CaseMutation = crud_mutations(
    "Case",
    Case,
    CaseModel,
    CaseCreateInput,
    cases,
    extra={
        "case_transition": transition_mutation("Case", CaseModel, CaseStatus, Case),
        "sla_policy_update": strawberry.mutation(
            resolver=update_sla_policy,
            description="Set the SLA targets of a priority (ADMIN keys). They apply to cases "
            "created, or whose priority changes, from then on.",
        ),
    },
)
