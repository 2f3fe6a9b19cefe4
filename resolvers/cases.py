"""Support cases, raised by a contact of an account, with service-level targets per priority."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from db.base import utcnow
from db.enums import ActivityType, ApiKeyRole, CasePriority
from db.models import Account, Case, Contact, SlaPolicy, User
from resolvers import records
from resolvers.contacts import contact_belongs_to_account
from resolvers.errors import ErrorCode, ForbiddenError, UserInputError
from resolvers.principal import Principal
from resolvers.validation import Choice, Integer, Reference, Text

SPEC: records.Spec = {
    "subject": Text(255, required=True),
    "description": Text(100_000),
    "priority": Choice(nullable=False),
    "origin": Choice(),
    "account_id": Reference(Account),
    "contact_id": Reference(Contact),
    "owner_id": Reference(User),
    "satisfaction_score": Integer(minimum=1, maximum=5),
}

# Minutes to first response and to resolution, by priority, for workspaces that set none.
DEFAULT_TARGETS: dict[CasePriority, tuple[int, int]] = {
    CasePriority.URGENT: (60, 4 * 60),
    CasePriority.HIGH: (4 * 60, 24 * 60),
    CasePriority.MEDIUM: (8 * 60, 3 * 24 * 60),
    CasePriority.LOW: (24 * 60, 7 * 24 * 60),
}
# Activities that answer the customer; notes and tasks are internal.
RESPONSES = (ActivityType.EMAIL, ActivityType.CALL, ActivityType.VIDEO_CALL, ActivityType.MEETING)


@dataclass(frozen=True, slots=True)
class SlaTargets:
    priority: CasePriority
    first_response_minutes: int
    resolution_minutes: int
    is_default: bool


async def targets(session: AsyncSession, workspace_id: int, priority: CasePriority) -> SlaTargets:
    policy = await session.scalar(
        select(SlaPolicy).where(
            SlaPolicy.workspace_id == workspace_id, SlaPolicy.priority == priority
        )
    )
    if policy is not None:
        return SlaTargets(
            priority, policy.first_response_minutes, policy.resolution_minutes, is_default=False
        )
    first, resolution = DEFAULT_TARGETS[priority]
    return SlaTargets(priority, first, resolution, is_default=True)


def _due_dates(actor: Principal) -> records.Rule:
    """Due times count from creation (calendar time) with the targets of the priority."""

    async def rule(session: AsyncSession, case: Case | None, values: dict[str, Any]) -> None:
        if case is not None and values.get("priority", case.priority) == case.priority:
            return
        priority = values.get("priority") or CasePriority.MEDIUM
        opened = case.created_at if case is not None else values["created_at"]
        goal = await targets(session, actor.workspace_id, priority)
        values["first_response_due_at"] = opened + timedelta(minutes=goal.first_response_minutes)
        values["resolution_due_at"] = opened + timedelta(minutes=goal.resolution_minutes)

    return rule


def _satisfaction(actor: Principal, data: Mapping[str, Any]) -> records.Rule:
    """A score is dated when given: now, or the time an ADMIN import says it was given."""

    async def rule(session: AsyncSession, case: Case | None, values: dict[str, Any]) -> None:
        given_at = records.import_time(actor, data, "satisfaction_recorded_at")
        if "satisfaction_score" not in values:
            if given_at is not None:
                raise UserInputError.single(
                    ErrorCode.INVALID,
                    "satisfactionRecordedAt needs a satisfactionScore.",
                    ("satisfaction_recorded_at",),
                )
            return
        if values["satisfaction_score"] is None:
            values["satisfaction_recorded_at"] = None
            return
        opened = case.created_at if case is not None else values["created_at"]
        if given_at is not None and given_at < opened:
            raise UserInputError.single(
                ErrorCode.INVALID,
                "satisfactionRecordedAt must not be before the case was created.",
                ("satisfaction_recorded_at",),
            )
        values["satisfaction_recorded_at"] = given_at or utcnow()

    return rule


def breached(due_at: datetime | None, done_at: datetime | None) -> bool | None:
    """Whether a target was missed: done late, or not done and already overdue."""
    if due_at is None:
        return None
    return (done_at or utcnow()) > due_at


async def record_response(
    session: AsyncSession, case_id: int, activity_type: ActivityType, at: datetime
) -> None:
    """The first outbound activity on a case is its first response."""
    if activity_type not in RESPONSES or at > utcnow():
        return  # internal notes, and calls still to come, answer nobody yet
    case = await session.scalar(select(Case).where(Case.id == case_id).with_for_update())
    if case is not None and case.first_responded_at is None and at >= case.created_at:
        case.first_responded_at = at


async def create(session: AsyncSession, *, actor: Principal, data: Mapping[str, Any]) -> Case:
    return await records.create_from_input(
        session,
        Case,
        SPEC,
        principal=actor,
        data=data,
        rules=[
            contact_belongs_to_account("contact_id"),
            _due_dates(actor),
            _satisfaction(actor, data),
        ],
    )


async def update(
    session: AsyncSession,
    *,
    actor: Principal,
    global_id: str,
    expected_version: int | None,
    data: Mapping[str, Any],
) -> Case:
    return await records.update_from_input(
        session,
        Case,
        SPEC,
        principal=actor,
        global_id=global_id,
        expected_version=expected_version,
        data=data,
        rules=[
            contact_belongs_to_account("contact_id"),
            _due_dates(actor),
            _satisfaction(actor, data),
        ],
    )


POLICY_SPEC: records.Spec = {
    "first_response_minutes": Integer(minimum=1, maximum=366 * 24 * 60),
    "resolution_minutes": Integer(minimum=1, maximum=366 * 24 * 60),
}


async def all_targets(session: AsyncSession, *, principal: Principal) -> list[SlaTargets]:
    return [await targets(session, principal.workspace_id, priority) for priority in CasePriority]


async def set_targets(
    session: AsyncSession, *, actor: Principal, priority: CasePriority, data: Mapping[str, Any]
) -> SlaTargets:
    """Change a priority's targets (ADMIN keys); new cases and priority changes use them."""
    if actor.role is not ApiKeyRole.ADMIN:
        raise ForbiddenError("Only an ADMIN key may change SLA targets.")
    values = await records.clean_input(session, POLICY_SPEC, data, principal=actor, creating=True)
    if values["resolution_minutes"] < values["first_response_minutes"]:
        raise UserInputError.single(
            ErrorCode.INVALID,
            "Resolution target must not be shorter than the first response target.",
            ("resolution_minutes",),
        )
    policy = await session.scalar(
        select(SlaPolicy)
        .where(SlaPolicy.workspace_id == actor.workspace_id, SlaPolicy.priority == priority)
        .with_for_update()
    )
    if policy is None:
        policy = SlaPolicy(workspace_id=actor.workspace_id, priority=priority, **values)
        session.add(policy)
    else:
        records.assign(policy, values)
    policy.updated_by_api_key_id = actor.api_key_id
    await session.flush()
    return await targets(session, actor.workspace_id, priority)
