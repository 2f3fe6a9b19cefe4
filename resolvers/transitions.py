"""Stage and status moves asked for through the API: find the record, then the engine moves it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from db.base import RecordMixin
from db.models import StageChange
from resolvers import lifecycle, records
from resolvers.principal import Principal


async def move(
    session: AsyncSession,
    model: type[RecordMixin],
    *,
    actor: Principal,
    global_id: str,
    expected_version: int | None,
    to: Any,
    reason: str | None = None,
    lost_reason: str | None = None,
    occurred_at: datetime | None = None,
) -> tuple[Any, StageChange | None]:
    """The moved record and its history row (None when it already was at `to`)."""
    record = await records.get_for_write(
        session, model, principal=actor, global_id=global_id, expected_version=expected_version
    )
    moment = records.import_time(actor, {"occurred_at": occurred_at}, "occurred_at")
    change = await lifecycle.transition(
        session,
        record,
        lifecycle.Move(
            to=to,
            reason=reason,
            lost_reason=lost_reason,
            occurred_at=moment,
            imported=moment is not None,
        ),
        actor=actor,
    )
    await session.flush()
    return record, change
