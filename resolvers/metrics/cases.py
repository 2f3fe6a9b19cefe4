"""Support KPIs: volume, backlog, response and resolution times, SLA, escalations, reopens, CSAT."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import exists, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import CaseStatus, EntityType
from db.models import Case, StageChange
from resolvers.metrics.amounts import ratio
from resolvers.metrics.sql import (
    held_at_some_end,
    in_stage_at,
    next_start_where,
    seconds,
    seconds_between,
    stays,
    summary,
    within,
)
from resolvers.metrics.windows import Window

DONE = (CaseStatus.RESOLVED.value, CaseStatus.CLOSED.value)
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
    windows: Any,
    window_list: Sequence[Window],
) -> list[CaseMetrics]:
    # From RESOLVED or CLOSED a case can only move back to OPEN: that move is a reopen.
    reopened_at = next_start_where(StageChange.to_stage == CaseStatus.OPEN.value)
    history = stays(
        workspace_id,
        EntityType.CASE,
        select(Case.id).where(*conditions),
        "case_stays",
        extra={"reopened_at": reopened_at},
    )
    measures: dict[int, dict[str, Any]] = {w: {} for w in range(len(window_list))}
    for part in (
        await _created(session, workspace_id, conditions, windows),
        await _backlog(session, history, windows, window_list),
        await _resolutions(session, history, windows),
        await _first_responses(session, conditions, windows),
        await _promises_and_scores(session, conditions, windows),
    ):
        for w, values in part.items():
            measures[w].update(values)
    return [CaseMetrics(**measures[w]) for w in range(len(window_list))]


async def _created(
    session: AsyncSession, workspace_id: int, conditions: Sequence[Any], windows: Any
) -> dict[int, dict[str, Any]]:
    """Cases created in the window, and how many of them were escalated before its end."""
    escalated = exists().where(
        StageChange.workspace_id == workspace_id,
        StageChange.entity_type == EntityType.CASE,
        StageChange.record_id == Case.id,
        StageChange.to_stage == CaseStatus.ESCALATED.value,
        StageChange.occurred_at < windows.c.w_end,
    )
    rows = await session.execute(
        select(windows.c.w, func.count(), func.count().filter(escalated))
        .select_from(Case)
        .join(windows, within(Case.created_at, windows))
        .where(*conditions)
        .group_by(windows.c.w)
    )
    return {w: {"created": created, "escalated": esc} for w, created, esc in rows.all()}


async def _backlog(
    session: AsyncSession, history: Any, windows: Any, window_list: Sequence[Window]
) -> dict[int, dict[str, Any]]:
    """Cases neither resolved nor closed at the window's end."""
    rows = await session.execute(
        select(windows.c.w, func.count())
        .select_from(history.join(windows, in_stage_at(history, windows.c.w_end)))
        .where(history.c.stage.not_in(DONE), held_at_some_end(history, window_list))
        .group_by(windows.c.w)
    )
    return {w: {"backlog": count} for w, count in rows.all()}


async def _resolutions(
    session: AsyncSession, history: Any, windows: Any
) -> dict[int, dict[str, Any]]:
    """Cases resolved in the window; of those, how many were reopened after their first
    resolution in it (before its end); and the median time from creation to their last
    resolution in it."""
    resolved = (
        select(
            windows.c.w,
            windows.c.w_end,
            history.c.record_id,
            func.min(history.c.reopened_at).label("reopened_at"),
            func.max(history.c.started).label("last_resolved_at"),
        )
        .select_from(history.join(windows, within(history.c.started, windows)))
        .where(history.c.stage == CaseStatus.RESOLVED.value)
        .group_by(windows.c.w, windows.c.w_end, history.c.record_id)
        .subquery("resolved")
    )
    # The earliest reopen after any resolution in the window is the one after the first.
    reopened = resolved.c.reopened_at < resolved.c.w_end
    counts = await session.execute(
        select(resolved.c.w, func.count(), func.count().filter(reopened)).group_by(resolved.c.w)
    )
    measures: dict[int, dict[str, Any]] = {
        w: {"resolved": count, "reopened": reopens} for w, count, reopens in counts.all()
    }
    durations = (
        select(
            resolved.c.w,
            seconds_between(resolved.c.last_resolved_at, Case.created_at).label("value"),
        )
        .join(Case, Case.id == resolved.c.record_id)
        .subquery("resolution_times")
    )
    for row in (await session.execute(summary(durations, ["w"]))).all():
        measures[row.w]["median_resolution_seconds"] = seconds(row.p50)
    return measures


async def _first_responses(
    session: AsyncSession, conditions: Sequence[Any], windows: Any
) -> dict[int, dict[str, Any]]:
    """Median and 90th percentile of creation-to-first-response, over the first responses
    given in the window."""
    durations = (
        select(
            windows.c.w,
            seconds_between(Case.first_responded_at, Case.created_at).label("value"),
        )
        .select_from(Case)
        .join(windows, within(Case.first_responded_at, windows))
        .where(*conditions)
        .subquery("first_responses")
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
    session: AsyncSession, conditions: Sequence[Any], windows: Any
) -> dict[int, dict[str, Any]]:
    """First-response targets that fell due in the window (and were met), and satisfaction
    scores given in it (and how many were 4 or 5)."""
    met = Case.first_responded_at <= Case.first_response_due_at
    due = await session.execute(
        select(windows.c.w, func.count(), func.count().filter(met))
        .select_from(Case)
        .join(windows, within(Case.first_response_due_at, windows))
        .where(*conditions)
        .group_by(windows.c.w)
    )
    measures: dict[int, dict[str, Any]] = {}
    for w, count, met_count in due.all():
        measures.setdefault(w, {}).update(sla_due=count, sla_met=met_count)
    scores = await session.execute(
        select(windows.c.w, func.count(), func.count().filter(Case.satisfaction_score >= SATISFIED))
        .select_from(Case)
        .join(windows, within(Case.satisfaction_recorded_at, windows))
        .where(*conditions)
        .group_by(windows.c.w)
    )
    for w, count, satisfied in scores.all():
        measures.setdefault(w, {}).update(scores=count, satisfied=satisfied)
    return measures
