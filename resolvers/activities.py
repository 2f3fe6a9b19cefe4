"""Activities: calls, emails, meetings, notes and tasks on the timeline of the records they link."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from db.base import utcnow
from db.enums import ActivityType
from db.models import Account, Activity, Case, Contact, Lead, Opportunity, User
from resolvers import cases, records
from resolvers.contacts import contact_belongs_to_account
from resolvers.principal import Principal
from resolvers.validation import Choice, Reference, Text, Timestamp

SPEC: records.Spec = {
    "type": Choice(required=True),
    "subject": Text(255, required=True),
    "body": Text(100_000),
    "occurred_at": Timestamp(),
    "due_at": Timestamp(),
    "completed": Choice(nullable=False),
    "account_id": Reference(Account),
    "contact_id": Reference(Contact),
    "lead_id": Reference(Lead),
    "opportunity_id": Reference(Opportunity),
    "case_id": Reference(Case),
    "owner_id": Reference(User),
}


RULES = [contact_belongs_to_account("contact_id")]


async def _logged_now_unless_scheduled(
    session: AsyncSession, activity: Activity | None, values: dict[str, Any]
) -> None:
    # A call or note logged without a time happened now; a task without one is simply undated.
    undated = values.get("occurred_at") is None and values.get("due_at") is None
    if activity is None and undated and values["type"] is not ActivityType.TASK:
        values["occurred_at"] = utcnow()


async def create(session: AsyncSession, *, actor: Principal, data: Mapping[str, Any]) -> Activity:
    activity = await records.create_from_input(
        session,
        Activity,
        SPEC,
        principal=actor,
        data=data,
        rules=[_logged_now_unless_scheduled, *RULES],
    )
    if activity.case_id is not None:
        answered_at = activity.occurred_at or activity.created_at
        await cases.record_response(session, activity.case_id, activity.type, answered_at)
    return activity


async def update(
    session: AsyncSession,
    *,
    actor: Principal,
    global_id: str,
    expected_version: int | None,
    data: Mapping[str, Any],
) -> Activity:
    return await records.update_from_input(
        session,
        Activity,
        SPEC,
        principal=actor,
        global_id=global_id,
        expected_version=expected_version,
        data=data,
        rules=RULES,
    )
