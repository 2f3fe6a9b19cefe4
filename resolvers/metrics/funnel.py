"""The customer funnel: per stage, who is in it, who entered, who moved on, and for how long."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import EntityType, LifecycleStage
from resolvers.lifecycle import FUNNEL
from resolvers.metrics.sql import (
    held_at_some_end,
    in_stage_at,
    moved_on_at,
    seconds,
    seconds_between,
    stays,
    summary,
    within,
)
from resolvers.metrics.windows import Window


@dataclass(frozen=True, slots=True)
class StageMetrics:
    stage: LifecycleStage
    current: int
    entered: int
    advanced: int
    average_time_in_stage_seconds: float | None
    median_time_in_stage_seconds: float | None

    @property
    def conversion_rate(self) -> float | None:
        return self.advanced / self.entered if self.entered else None

    @property
    def drop_off_rate(self) -> float | None:
        rate = self.conversion_rate
        return None if rate is None else 1 - rate


async def current_counts(
    session: AsyncSession, *, subject_stays: Any, windows: Any, window_list: Sequence[Window]
) -> dict[tuple[int, str], int]:
    """Records per stage at the end of each window (CHURNED included)."""
    rows = await session.execute(
        select(windows.c.w, subject_stays.c.stage, func.count())
        .select_from(subject_stays.join(windows, in_stage_at(subject_stays, windows.c.w_end)))
        .where(held_at_some_end(subject_stays, window_list))
        .group_by(windows.c.w, subject_stays.c.stage)
    )
    return {(w, stage): count for w, stage, count in rows.all()}


async def funnel(
    session: AsyncSession,
    *,
    workspace_id: int,
    subject: EntityType,
    records: Any,
    windows: Any,
    window_list: Sequence[Window],
) -> list[list[StageMetrics]]:
    """One list of the five funnel stages, in order, per window."""
    subject_stays = stays(
        workspace_id, subject, records, "subject_stays", extra={"moved_on_at": moved_on_at()}
    )
    current = await current_counts(
        session, subject_stays=subject_stays, windows=windows, window_list=window_list
    )
    entries = await _entries(session, subject_stays, windows)
    times = await _times(session, subject_stays, windows)
    return [
        [
            StageMetrics(
                stage=stage,
                current=current.get((w, stage.value), 0),
                entered=entries.get((w, stage.value), (0, 0))[0],
                advanced=entries.get((w, stage.value), (0, 0))[1],
                average_time_in_stage_seconds=times.get((w, stage.value), (None, None))[0],
                median_time_in_stage_seconds=times.get((w, stage.value), (None, None))[1],
            )
            for stage in FUNNEL
        ]
        for w in range(len(window_list))
    ]


async def _entries(
    session: AsyncSession, subject_stays: Any, windows: Any
) -> dict[tuple[int, str], tuple[int, int]]:
    """Per window and stage: records that entered it, and of those, how many then reached a
    later funnel stage before the window's end (counted from their first entry)."""
    entries = (
        select(
            windows.c.w,
            windows.c.w_end,
            subject_stays.c.stage,
            subject_stays.c.moved_on_at,
            func.row_number()
            .over(
                partition_by=(windows.c.w, subject_stays.c.record_id, subject_stays.c.stage),
                order_by=subject_stays.c.seq,
            )
            .label("nth"),
        )
        .select_from(subject_stays.join(windows, within(subject_stays.c.started, windows)))
        .where(subject_stays.c.rank.is_not(None))
        .subquery("entries")
    )
    moved_on = entries.c.moved_on_at < entries.c.w_end
    rows = await session.execute(
        select(entries.c.w, entries.c.stage, func.count(), func.count().filter(moved_on))
        .where(entries.c.nth == 1)
        .group_by(entries.c.w, entries.c.stage)
    )
    return {(w, stage): (entered, advanced) for w, stage, entered, advanced in rows.all()}


async def _times(
    session: AsyncSession, subject_stays: Any, windows: Any
) -> dict[tuple[int, str], tuple[float | None, float | None]]:
    """Per window and stage: mean and median length of the stays that ended in the window."""
    ended = (
        select(
            windows.c.w,
            subject_stays.c.stage,
            seconds_between(subject_stays.c.ended, subject_stays.c.started).label("value"),
        )
        .select_from(subject_stays.join(windows, within(subject_stays.c.ended, windows)))
        .where(subject_stays.c.rank.is_not(None))
        .subquery("ended_stays")
    )
    rows = await session.execute(summary(ended, ["w", "stage"]))
    return {(row.w, row.stage): (seconds(row.mean), seconds(row.p50)) for row in rows.all()}
