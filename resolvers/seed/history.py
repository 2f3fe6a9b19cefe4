"""The lifecycle history of the seeded records, as the engine would have written it.

Each record gets its creation row (from nothing to its first stage) and the moves that
brought it to its seeded stage, at times between its creation and its last change, so
that funnels and times in stage read right on seeded data.
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
from resolvers.lifecycle import FUNNEL, OPEN_STAGES
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


def _path(s: Seeding, start: Any, current: Any) -> list[Any]:
    """The stages a record went through, from `start` to `current`, forward only."""
    if current in FUNNEL:
        return FUNNEL[: FUNNEL.index(current) + 1]
    if current is LifecycleStage.CHURNED:
        return [*FUNNEL[: FUNNEL.index(LifecycleStage.RETENTION) + 1], current]
    if current in OPEN_STAGES:
        return OPEN_STAGES[: OPEN_STAGES.index(current) + 1]
    if isinstance(current, OpportunityStage):  # closed, from some open stage
        return [*OPEN_STAGES[: s.rng.randint(1, len(OPEN_STAGES))], current]
    return [start] if current == start else [start, current]


def _account_of(entity: EntityType, record: Row) -> int | None:
    if entity is EntityType.ACCOUNT:
        return int(record["id"])
    account = record.get("account_id")
    return int(account) if account is not None else None


def stage_changes(s: Seeding) -> list[Row]:
    rows: list[Row] = []
    for table, entity, column, start in TRACKED:
        for record in s.rows.get(table, []):
            created: datetime = record["created_at"]
            path = _path(s, start, record.get(column) or start)
            last = max(record.get("closed_at") or record.get("updated_at") or created, created)
            moments = sorted(s.moment(created, last) for _ in path[1:])
            if record.get("closed_at") is not None and moments:
                moments[-1] = record["closed_at"]
            previous = None
            for stage, moment in zip(path, [created, *moments], strict=True):
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
                        "cause": StageChangeCause.CREATED
                        if previous is None
                        else StageChangeCause.MANUAL,
                    }
                )
                previous = stage
    # Recorded in the order things happened, as live writes would have been.
    rows.sort(key=lambda row: row["occurred_at"])
    return rows
