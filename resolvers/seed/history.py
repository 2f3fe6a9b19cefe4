"""The lifecycle history of the seeded records, as the engine would have written it.

Each record gets its creation row (from nothing to its first stage) and the moves that
brought it to its seeded stage, at times between its creation and its last change, so
that funnels, times in stage, reopens and reactivations read right on seeded data. Real
histories are not straight lines: deals slip back a stage and lost ones are revived,
customers churn and come back, accounts drift back before they buy. Every move is one the
lifecycle engine allows, with a reason where it asks for one. Records whose builder already
drew their history (cases, whose dates derive from it) carry it in a `moves` note.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from db.enums import (
    CampaignStatus,
    CaseStatus,
    EntityType,
    LeadStatus,
    LifecycleStage,
    OpportunityStage,
    StageChangeCause,
)
from resolvers.lifecycle import FUNNEL, LIFECYCLES, OPEN_STAGES, Needs, Table
from resolvers.seed import vocabulary as words
from resolvers.seed.context import Row, Seeding

# table, entity type, stage column, the stage a new record starts in
TRACKED: tuple[tuple[str, EntityType, str, Any], ...] = (
    ("account", EntityType.ACCOUNT, "lifecycle_stage", LifecycleStage.REACH),
    ("contact", EntityType.CONTACT, "lifecycle_stage", LifecycleStage.REACH),
    ("lead", EntityType.LEAD, "status", LeadStatus.OPEN),
    ("opportunity", EntityType.OPPORTUNITY, "stage", OpportunityStage.PROSPECTING),
    ("support_case", EntityType.CASE, "status", CaseStatus.NEW),
    ("campaign", EntityType.CAMPAIGN, "status", CampaignStatus.PLANNED),
)

Life = LifecycleStage
Stage = OpportunityStage
# How often a history takes a detour, per step or per record.
DEAL_SLIPS_BACK = 0.6  # per forward step between open stages: back one, then on again
DEAL_REVIVED = 0.5  # a closed deal was lost before, and reopened
ACCOUNT_DRIFTS_BACK = 0.4  # per forward step in the funnel before the first purchase
CUSTOMER_REACTIVATED = 0.45  # a customer churned once and came back
CHURNED_TWICE = 0.3  # a churned account had churned and come back before
ADVOCATE_LAPSED = 0.3  # an advocate stopped referring for a while


ALLOWED: dict[EntityType, Table] = {lc.entity_type: lc.table for lc in LIFECYCLES.values()}


def _with_slips(s: Seeding, stages: list[Any], chance: float) -> list[Any]:
    """`stages` in order, where before each forward step the record may go back one stage
    and forward again, possibly more than once."""
    path = stages[:1]
    for stage in stages[1:]:
        while len(path) >= 2 and s.chance(chance):  # noqa: PLR2004  (a stage to go back to)
            path += [path[-2], path[-1]]
        path.append(stage)
    return path


def _deal_path(s: Seeding, current: OpportunityStage) -> list[Any]:
    if current in OPEN_STAGES:
        forward = OPEN_STAGES[: OPEN_STAGES.index(current) + 1]
        if current is not Stage.PROSPECTING and s.chance(DEAL_REVIVED / 3):
            # Lost once, then picked up again where it stands now.
            lost_at = s.rng.randint(1, len(forward) - 1)
            return [*_with_slips(s, forward[:lost_at], DEAL_SLIPS_BACK), Stage.CLOSED_LOST,
                    *forward[lost_at:]]  # fmt: skip
        return _with_slips(s, forward, DEAL_SLIPS_BACK)
    # A won deal was at least proposed; a lost one may have died at any stage.
    furthest = s.rng.randint(3 if current is Stage.CLOSED_WON else 1, len(OPEN_STAGES))
    reached = OPEN_STAGES[:furthest]
    path = [*_with_slips(s, reached, DEAL_SLIPS_BACK), current]
    if s.chance(DEAL_REVIVED):
        # Lost earlier, reopened at a later stage, then closed as it is now.
        revived = OPEN_STAGES[s.rng.randint(1, len(OPEN_STAGES) - 1) :]
        path = [*path[:-1], Stage.CLOSED_LOST, *_with_slips(s, revived, DEAL_SLIPS_BACK), current]
    return path


def _customer_path(s: Seeding, current: LifecycleStage) -> list[Any]:
    buying = FUNNEL[: FUNNEL.index(Life.CONVERSION) + 1]
    if current in (Life.REACH, Life.ACQUISITION):
        return _with_slips(s, FUNNEL[: FUNNEL.index(current) + 1], ACCOUNT_DRIFTS_BACK)
    path = _with_slips(s, buying, ACCOUNT_DRIFTS_BACK)
    if current is Life.CONVERSION:
        return path
    path.append(Life.RETENTION)
    if current is Life.CHURNED:
        if s.chance(CHURNED_TWICE):
            path += [Life.CHURNED, Life.CONVERSION, Life.RETENTION]
        return [*path, Life.CHURNED]
    if s.chance(CUSTOMER_REACTIVATED):
        path += [Life.CHURNED, Life.CONVERSION, Life.RETENTION]
    if current is Life.ADVOCACY:
        path.append(Life.ADVOCACY)
        if s.chance(ADVOCATE_LAPSED):
            path += [Life.RETENTION, Life.ADVOCACY]
    return path


def _path(s: Seeding, entity: EntityType, start: Any, current: Any) -> list[Any]:
    """The stages a record went through, from `start` to `current`."""
    if entity in (EntityType.ACCOUNT, EntityType.CONTACT):
        return _customer_path(s, current)
    if entity is EntityType.OPPORTUNITY:
        return _deal_path(s, current)
    return [start] if current == start else [start, current]


def _account_of(entity: EntityType, record: Row) -> int | None:
    if entity is EntityType.ACCOUNT:
        return int(record["id"])
    account = record.get("account_id")
    return int(account) if account is not None else None


def _dated(s: Seeding, record: Row, path: list[Any]) -> list[tuple[Any, datetime]]:
    """The path with a time for each stage: creation first, the close (if any) last."""
    created: datetime = record["created_at"]
    last = max(record.get("closed_at") or record.get("updated_at") or created, created)
    moments = sorted(s.moment(created, last) for _ in path[1:])
    if record.get("closed_at") is not None and moments:
        moments[-1] = record["closed_at"]
    return list(zip(path, [created, *moments], strict=True))


def stage_changes(s: Seeding) -> list[Row]:
    rows: list[Row] = []
    for table, entity, column, start in TRACKED:
        allowed = ALLOWED[entity]
        for record in s.rows.get(table, []):
            moves = record.get("moves") or _dated(
                s, record, _path(s, entity, start, record.get(column) or start)
            )
            previous = None
            for stage, moment in moves:
                backward = previous is not None and allowed[previous][stage] is Needs.REASON
                rows.append(
                    {
                        "workspace_id": s.workspace_id,
                        "entity_type": entity,
                        "record_id": record["id"],
                        "account_id": _account_of(entity, record),
                        "from_stage": None if previous is None else str(previous),
                        "to_stage": str(stage),
                        "occurred_at": moment,
                        "recorded_at": moment,
                        "reason": s.rng.choice(words.MOVE_REASONS) if backward else None,
                        "cause": StageChangeCause.CREATED
                        if previous is None
                        else StageChangeCause.MANUAL,
                    }
                )
                previous = stage
    # Recorded in the order things happened, as live writes would have been.
    rows.sort(key=lambda row: row["occurred_at"])
    return rows
