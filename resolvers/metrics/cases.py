"""Support KPIs: volume, backlog, response and resolution times, SLA, escalations, reopens, CSAT."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import case, exists, func, literal, select, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import CaseStatus, EntityType
from db.models import Case, StageChange
from resolvers.metrics.amounts import ratio
from resolvers.metrics.sql import (
    held_at_ends,
    in_windows,
    moves_into,
    no_value,
    seconds,
    seconds_between,
    summary,
)
from resolvers.metrics.windows import Window, earliest_start

DONE = (CaseStatus.RESOLVED.value, CaseStatus.CLOSED.value)
NOT_DONE = [status.value for status in CaseStatus if status.value not in DONE]
# Scores of 4 and 5 (of 1 to 5) count as satisfied, as CSAT surveys usually do.
SATISFIED = 4


@dataclass(frozen=True, slots=True)
class CaseMetrics:
    created: int = 0
    escalated: int = 0
    resolved: int = 0
    reopened: int = 0
    backlog: int = 0
    median_first_response_seconds: float | None = None
    p90_first_response_seconds: float | None = None
    median_resolution_seconds: float | None = None
    sla_due: int = 0
    sla_met: int = 0
    scores: int = 0
    satisfied: int = 0

    @property
    def escalation_rate(self) -> float | None:
        return ratio(self.escalated, self.created)

    @property
    def reopen_rate(self) -> float | None:
        return ratio(self.reopened, self.resolved)

    @property
    def sla_compliance_rate(self) -> float | None:
        return ratio(self.sla_met, self.sla_due)

    @property
    def csat(self) -> float | None:
        return ratio(self.satisfied, self.scores)


async def cases(
    session: AsyncSession,
    *,
    workspace_id: int,
    conditions: Sequence[Any],
    window_list: Sequence[Window],
    rewind: bool = False,
) -> list[CaseMetrics]:
    records = select(Case.id).where(*conditions)
    measures: dict[int, dict[str, Any]] = {w: {} for w in range(len(window_list))}
    for part in (
        await _created(session, workspace_id, conditions, window_list),
        await _backlog(session, workspace_id, records, window_list, rewind),
        await _resolutions(session, workspace_id, records, window_list),
        await _first_responses(session, conditions, window_list),
        await _promises_and_scores(session, conditions, window_list),
    ):
        for w, values in part.items():
            measures[w].update(values)
    return [CaseMetrics(**measures[w]) for w in range(len(window_list))]


async def _created(
    session: AsyncSession,
    workspace_id: int,
    conditions: Sequence[Any],
    window_list: Sequence[Window],
) -> dict[int, dict[str, Any]]:
    """Cases created in the window, and how many of them were escalated before its end.

    The cases are paired with the windows that hold their creation by in_windows; an
    escalation is looked for among the moves into ESCALATED, read once and joined.
    """
    created = in_windows(select(Case.id).where(*conditions), Case.created_at, window_list)
    # A case is escalated after it was created, so within or after the windows.
    escalations = moves_into(
        workspace_id,
        EntityType.CASE,
        [CaseStatus.ESCALATED.value],
        since=earliest_start(window_list),
    )
    escalated = exists().where(
        escalations.c.record_id == created.c.id,
        escalations.c.occurred_at < created.c.w_end,
    )
    stacked = union_all(
        *(
            select(literal(part), created.c.w, func.count()).where(*condition).group_by(created.c.w)
            for part, condition in (("created", ()), ("escalated", (escalated,)))
        )
    )
    measures: dict[int, dict[str, Any]] = {}
    for part, w, count in (await session.execute(stacked)).all():
        measures.setdefault(w, {})[part] = count
    return measures


async def _backlog(
    session: AsyncSession,
    workspace_id: int,
    records: Any,
    window_list: Sequence[Window],
    rewind: bool,
) -> dict[int, dict[str, Any]]:
    """Cases neither resolved nor closed at the window's end."""
    ends = sorted({window.end for window in window_list})
    held = held_at_ends(
        workspace_id, EntityType.CASE, records, ends, stages=NOT_DONE, rewind=rewind
    ).subquery("backlog")
    at_end = dict((await session.execute(select(held.c.p, held.c.held))).all())
    return {
        w: {"backlog": at_end[ends.index(window.end)]}
        for w, window in enumerate(window_list)
        if at_end.get(ends.index(window.end))
    }


async def _resolutions(
    session: AsyncSession,
    workspace_id: int,
    records: Any,
    window_list: Sequence[Window],
) -> dict[int, dict[str, Any]]:
    """Cases resolved in the window; of those, how many were reopened after their first
    resolution in it (before its end); and the median time from creation to their last
    resolution in it.

    Read from the moves into RESOLVED alone (by the index on stage and time), each paired
    with the windows that hold it. A reopen is a later move of the case back to OPEN,
    looked for among those moves, read once and joined. The three measures are stacked
    in one statement, which reads the resolutions once.
    """
    resolutions = (
        select(StageChange.record_id, StageChange.id, StageChange.occurred_at, Case.created_at)
        .join(Case, Case.id == StageChange.record_id)
        .where(
            StageChange.workspace_id == workspace_id,
            StageChange.entity_type == EntityType.CASE,
            StageChange.to_stage == CaseStatus.RESOLVED.value,
        )
    )
    if records.whereclause is not None:
        resolutions = resolutions.where(records.whereclause)
    moves = in_windows(resolutions, StageChange.occurred_at, window_list)
    resolved = (
        select(
            moves.c.w,
            moves.c.w_end,
            moves.c.record_id,
            moves.c.created_at,
            func.min(moves.c.id).label("first_id"),
            func.max(moves.c.occurred_at).label("last_resolved_at"),
        )
        .group_by(moves.c.w, moves.c.w_end, moves.c.record_id, moves.c.created_at)
        .cte("resolved")
    )
    # From RESOLVED or CLOSED a case can only move back to OPEN: that move is a reopen.
    # The first reopen after the first resolution in the window, if before its end.
    reopens = moves_into(
        workspace_id,
        EntityType.CASE,
        [CaseStatus.OPEN.value],
        since=earliest_start(window_list),
        leaving=DONE,
    )
    reopened = exists().where(
        reopens.c.record_id == resolved.c.record_id,
        reopens.c.id > resolved.c.first_id,
        reopens.c.occurred_at < resolved.c.w_end,
    )
    durations = select(
        resolved.c.w,
        seconds_between(resolved.c.last_resolved_at, resolved.c.created_at).label("value"),
    ).subquery("resolution_times")
    times = summary(durations, ["w"]).subquery("times")
    stacked = union_all(
        *(
            select(literal(part), resolved.c.w, func.count(), no_value())
            .where(*condition)
            .group_by(resolved.c.w)
            for part, condition in (("resolved", ()), ("reopened", (reopened,)))
        ),
        select(literal("times"), times.c.w, times.c.count, times.c.p50),
    )
    measures: dict[int, dict[str, Any]] = {}
    for part, w, count, median in (await session.execute(stacked)).all():
        if part == "times":
            measures.setdefault(w, {})["median_resolution_seconds"] = seconds(median)
        else:
            measures.setdefault(w, {})[part] = count
    return measures


async def _first_responses(
    session: AsyncSession, conditions: Sequence[Any], window_list: Sequence[Window]
) -> dict[int, dict[str, Any]]:
    """Median and 90th percentile of creation-to-first-response, over the first responses
    given in the window."""
    durations = in_windows(
        select(seconds_between(Case.first_responded_at, Case.created_at).label("value")).where(
            *conditions
        ),
        Case.first_responded_at,
        window_list,
    )
    rows = await session.execute(summary(durations, ["w"], fractions=(50, 90)))
    return {
        row.w: {
            "median_first_response_seconds": seconds(row.p50),
            "p90_first_response_seconds": seconds(row.p90),
        }
        for row in rows.all()
    }


async def _promises_and_scores(
    session: AsyncSession, conditions: Sequence[Any], window_list: Sequence[Window]
) -> dict[int, dict[str, Any]]:
    """First-response targets that fell due in the window (and were met), and satisfaction
    scores given in it (and how many were 4 or 5), in one statement."""
    met = case((Case.first_responded_at <= Case.first_response_due_at, 1), else_=0)
    due = in_windows(
        select(met.label("good")).where(*conditions), Case.first_response_due_at, window_list
    )
    satisfied = case((Case.satisfaction_score >= SATISFIED, 1), else_=0)
    scored = in_windows(
        select(satisfied.label("good")).where(*conditions),
        Case.satisfaction_recorded_at,
        window_list,
    )
    stacked = union_all(
        *(
            select(literal(part), rows.c.w, func.count(), func.sum(rows.c.good)).group_by(rows.c.w)
            for part, rows in (("sla", due), ("scores", scored))
        )
    )
    measures: dict[int, dict[str, Any]] = {}
    for part, w, count, good in (await session.execute(stacked)).all():
        mine = measures.setdefault(w, {})
        if part == "sla":
            mine.update(sla_due=count, sla_met=good)
        else:
            mine.update(scores=count, satisfied=good)
    return measures
