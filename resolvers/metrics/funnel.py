"""The customer funnel: per stage, who is in it, who entered, who moved on, and for how long."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import exists, func, literal, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import EntityType, LifecycleStage
from resolvers.lifecycle import FUNNEL
from resolvers.metrics.sql import (
    held_at_ends,
    in_windows,
    no_value,
    seconds,
    seconds_between,
    stays,
    summary,
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


async def funnel(
    session: AsyncSession,
    *,
    workspace_id: int,
    subject: EntityType,
    records: Any,
    window_list: Sequence[Window],
    rewind: bool = False,
) -> list[list[StageMetrics]]:
    """One list of the five funnel stages, in order, per window.

    Four measures of one history, stacked in one statement: each row says which measure
    it carries (`part`), the window (for `current`, the window end's number) and its
    values. Who is where at each end is counted from the changes alone; entries and times
    in stage need the stays.
    """
    ends = sorted({window.end for window in window_list})
    subject_stays = stays(workspace_id, subject, records, "subject_stays")
    held = held_at_ends(workspace_id, subject, records, ends, rewind=rewind)
    current = held.subquery("current")
    entries = _first_entries(subject_stays, window_list)
    # A later stay of the record, in a later funnel stage, begun before the window's end:
    # in WHERE, so that the database joins the stays once rather than probing per entry.
    later = subject_stays.alias("later")
    moved_on = exists().where(
        later.c.record_id == entries.c.record_id,
        later.c.change_id > entries.c.change_id,
        later.c.started < entries.c.w_end,
        later.c.rank > entries.c.rank,
    )
    times = _times(subject_stays, window_list).subquery("times")
    stacked = union_all(
        select(literal("current"), current.c.p, current.c.stage, current.c.held, no_value()),
        *(
            select(literal(part), entries.c.w, entries.c.stage, func.count(), no_value())
            .where(*condition)
            .group_by(entries.c.w, entries.c.stage)
            for part, condition in (("entered", ()), ("advanced", (moved_on,)))
        ),
        select(literal("times"), times.c.w, times.c.stage, times.c.mean, times.c.p50),
    )
    parts: dict[tuple[str, int, str], tuple[Any, Any]] = {
        (part, w, stage): (first, second)
        for part, w, stage, first, second in await session.execute(stacked)
    }

    def measure(stage: LifecycleStage, w: int) -> StageMetrics:
        key = (w, stage.value)
        entered = parts.get(("entered", *key), (0, None))[0]
        advanced = parts.get(("advanced", *key), (0, None))[0]
        mean, median = parts.get(("times", *key), (None, None))
        at_end = ("current", ends.index(window_list[w].end), stage.value)
        return StageMetrics(
            stage=stage,
            current=int(parts.get(at_end, (0, None))[0]),
            entered=int(entered),
            advanced=int(advanced),
            average_time_in_stage_seconds=seconds(mean),
            median_time_in_stage_seconds=seconds(median),
        )

    return [[measure(stage, w) for stage in FUNNEL] for w in range(len(window_list))]


def _first_entries(subject_stays: Any, window_list: Sequence[Window]) -> Any:
    """`(w, w_end, record_id, change_id, stage, rank)`: per window, each record's first entry
    into each funnel stage within it."""
    entered = in_windows(
        select(
            subject_stays.c.record_id,
            subject_stays.c.change_id,
            subject_stays.c.stage,
            subject_stays.c.rank,
        ).where(subject_stays.c.rank.is_not(None)),
        subject_stays.c.started,
        window_list,
    )
    entries = select(
        entered,
        func.row_number()
        .over(
            partition_by=(entered.c.w, entered.c.record_id, entered.c.stage),
            order_by=entered.c.change_id,
        )
        .label("nth"),
    ).subquery("entries")
    # A CTE: counted twice, all entries and those that moved on.
    return select(entries).where(entries.c.nth == 1).cte("first_entries")


def _times(subject_stays: Any, window_list: Sequence[Window]) -> Any:
    """`(w, stage, count, mean, p50)`: length of the stays that ended in each window."""
    ended = in_windows(
        select(
            subject_stays.c.stage,
            seconds_between(subject_stays.c.ended, subject_stays.c.started).label("value"),
        ).where(subject_stays.c.rank.is_not(None)),
        subject_stays.c.ended,
        window_list,
    )
    return summary(ended, ["w", "stage"])
