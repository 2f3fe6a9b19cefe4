"""The lifecycle engine: the only code that sets a stage or a status.

Per entity, one table of allowed moves and what each move needs (nothing, a reason, a
lost reason). `transition` validates a move, sets the field and what derives from it,
writes the `StageChange` history row and queues the `StageChanged` event, all in the
caller's transaction. Automatic moves (a first won deal, a converted referral) go through
`advance`, which only ever moves forward.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import Enum, StrEnum
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.base import RecordMixin, utcnow
from db.enums import (
    CampaignStatus,
    CaseStatus,
    EntityType,
    ForecastCategory,
    LeadStatus,
    LifecycleStage,
    OpportunityStage,
    StageChangeCause,
)
from db.models import Account, Campaign, Case, Contact, Lead, Opportunity, StageChange
from resolvers import events
from resolvers.errors import ErrorCode, FieldError, UserInputError
from resolvers.pagination import Ordering
from resolvers.principal import Principal
from resolvers.validation import InvalidValueError, to_utc


class Needs(StrEnum):
    NOTHING = "NOTHING"
    REASON = "REASON"
    LOST_REASON = "LOST_REASON"


Table = Mapping[Any, Mapping[Any, Needs]]

FUNNEL = [
    LifecycleStage.REACH,
    LifecycleStage.ACQUISITION,
    LifecycleStage.CONVERSION,
    LifecycleStage.RETENTION,
    LifecycleStage.ADVOCACY,
]
OPEN_STAGES = [
    OpportunityStage.PROSPECTING,
    OpportunityStage.QUALIFICATION,
    OpportunityStage.PROPOSAL,
    OpportunityStage.NEGOTIATION,
]
CLOSED_STAGES = [OpportunityStage.CLOSED_WON, OpportunityStage.CLOSED_LOST]
WORKING_CASE_STATUSES = [CaseStatus.OPEN, CaseStatus.PENDING, CaseStatus.ESCALATED]


def _ordered(stages: list[Any]) -> dict[Any, dict[Any, Needs]]:
    """Forward along `stages` freely (skipping allowed), backward with a reason."""
    return {
        current: {
            target: Needs.NOTHING if position > index else Needs.REASON
            for position, target in enumerate(stages)
            if target != current
        }
        for index, current in enumerate(stages)
    }


def _customer_table() -> Table:
    table = _ordered(FUNNEL)
    for stage in FUNNEL[FUNNEL.index(LifecycleStage.CONVERSION) :]:
        table[stage][LifecycleStage.CHURNED] = Needs.REASON  # only customers can churn
    table[LifecycleStage.CHURNED] = dict.fromkeys(FUNNEL, Needs.REASON)
    return table


def _opportunity_table() -> Table:
    table: dict[Any, dict[Any, Needs]] = _ordered(OPEN_STAGES)
    for stage in OPEN_STAGES:
        table[stage][OpportunityStage.CLOSED_WON] = Needs.NOTHING
        table[stage][OpportunityStage.CLOSED_LOST] = Needs.LOST_REASON
    # A closed deal reopens with a reason; won never turns into lost directly.
    for closed in CLOSED_STAGES:
        table[closed] = dict.fromkeys(OPEN_STAGES, Needs.REASON)
    return table


def _case_table() -> Table:
    table: dict[Any, dict[Any, Needs]] = {
        CaseStatus.NEW: dict.fromkeys([*WORKING_CASE_STATUSES, CaseStatus.RESOLVED], Needs.NOTHING)
    }
    for status in WORKING_CASE_STATUSES:
        others = [other for other in WORKING_CASE_STATUSES if other != status]
        table[status] = dict.fromkeys([*others, CaseStatus.RESOLVED], Needs.NOTHING)
    table[CaseStatus.RESOLVED] = {CaseStatus.CLOSED: Needs.NOTHING, CaseStatus.OPEN: Needs.REASON}
    table[CaseStatus.CLOSED] = {CaseStatus.OPEN: Needs.REASON}
    return table


LEAD_TABLE: Table = {
    LeadStatus.OPEN: dict.fromkeys(
        [LeadStatus.CONTACTED, LeadStatus.QUALIFIED, LeadStatus.UNQUALIFIED], Needs.NOTHING
    ),
    LeadStatus.CONTACTED: {
        LeadStatus.QUALIFIED: Needs.NOTHING,
        LeadStatus.UNQUALIFIED: Needs.NOTHING,
        LeadStatus.OPEN: Needs.REASON,
    },
    LeadStatus.QUALIFIED: {
        LeadStatus.UNQUALIFIED: Needs.NOTHING,
        LeadStatus.CONTACTED: Needs.REASON,
        LeadStatus.OPEN: Needs.REASON,
    },
    LeadStatus.UNQUALIFIED: {LeadStatus.OPEN: Needs.REASON},
    # CONVERTED is reached only through lead conversion, and is final.
    LeadStatus.CONVERTED: {},
}

CAMPAIGN_TABLE: Table = {
    CampaignStatus.PLANNED: {
        CampaignStatus.ACTIVE: Needs.NOTHING,
        CampaignStatus.COMPLETED: Needs.NOTHING,
        CampaignStatus.CANCELLED: Needs.NOTHING,
    },
    CampaignStatus.ACTIVE: {
        CampaignStatus.COMPLETED: Needs.NOTHING,
        CampaignStatus.CANCELLED: Needs.NOTHING,
    },
    CampaignStatus.COMPLETED: {},
    CampaignStatus.CANCELLED: {},
}


@dataclass(frozen=True)
class Lifecycle:
    entity_type: EntityType
    model: type[RecordMixin]
    attribute: str
    stages: type[Enum]
    table: Table


LIFECYCLES: dict[type[Any], Lifecycle] = {
    lifecycle.model: lifecycle
    for lifecycle in (
        Lifecycle(
            EntityType.ACCOUNT, Account, "lifecycle_stage", LifecycleStage, _customer_table()
        ),
        Lifecycle(
            EntityType.CONTACT, Contact, "lifecycle_stage", LifecycleStage, _customer_table()
        ),
        Lifecycle(EntityType.LEAD, Lead, "status", LeadStatus, LEAD_TABLE),
        Lifecycle(
            EntityType.OPPORTUNITY, Opportunity, "stage", OpportunityStage, _opportunity_table()
        ),
        Lifecycle(EntityType.CASE, Case, "status", CaseStatus, _case_table()),
        Lifecycle(EntityType.CAMPAIGN, Campaign, "status", CampaignStatus, CAMPAIGN_TABLE),
    )
}
MODELS_BY_ENTITY = {lifecycle.entity_type: lifecycle.model for lifecycle in LIFECYCLES.values()}

# The history is read in the order it was written; its cursors encode that position.
HISTORY_ORDERING = Ordering(StageChange)

# Default probability (percent) and forecast category of each opportunity stage.
STAGE_FORECAST: dict[OpportunityStage, tuple[int, ForecastCategory]] = {
    OpportunityStage.PROSPECTING: (10, ForecastCategory.PIPELINE),
    OpportunityStage.QUALIFICATION: (20, ForecastCategory.PIPELINE),
    OpportunityStage.PROPOSAL: (50, ForecastCategory.BEST_CASE),
    OpportunityStage.NEGOTIATION: (80, ForecastCategory.COMMIT),
    OpportunityStage.CLOSED_WON: (100, ForecastCategory.CLOSED),
    OpportunityStage.CLOSED_LOST: (0, ForecastCategory.OMITTED),
}


@dataclass(frozen=True, slots=True)
class Move:
    """A requested move: where to, why, and when (imports may date it in the past)."""

    to: Any
    cause: StageChangeCause = StageChangeCause.MANUAL
    reason: str | None = None
    lost_reason: str | None = None
    occurred_at: datetime | None = None
    # True when a client gave `occurred_at` (an import): it is checked, never adjusted.
    imported: bool = False


def lifecycle_of(record: RecordMixin) -> Lifecycle:
    return LIFECYCLES[type(record)]


def stage_of(record: RecordMixin) -> Any:
    return getattr(record, lifecycle_of(record).attribute)


def _account_of(record: RecordMixin) -> int | None:
    if isinstance(record, Account):
        return record.id
    return getattr(record, "account_id", None)


def initial_stage(record: RecordMixin, *, from_lead: bool = False) -> Any:
    """Where a new record starts: people and organizations we can reach start further on."""
    if isinstance(record, Account | Contact):
        reachable = from_lead or bool(getattr(record, "email", None) or record.phone)
        return LifecycleStage.ACQUISITION if reachable else LifecycleStage.REACH
    lifecycle = lifecycle_of(record)
    return next(iter(lifecycle.stages))


def start(record: RecordMixin, *, from_lead: bool = False) -> None:
    """Give a record that is about to be inserted its initial stage."""
    setattr(record, lifecycle_of(record).attribute, initial_stage(record, from_lead=from_lead))
    if isinstance(record, Opportunity):
        record.probability, record.forecast_category = STAGE_FORECAST[record.stage]


async def record_start(
    session: AsyncSession,
    record: RecordMixin,
    *,
    actor: Principal,
    occurred_at: datetime,
    cause: StageChangeCause = StageChangeCause.CREATED,
) -> StageChange:
    """The history row of a newly inserted record: from nothing to its initial stage."""
    return await _write_history(session, record, None, stage_of(record), actor, occurred_at, cause)


async def transition(
    session: AsyncSession, record: RecordMixin, move: Move, *, actor: Principal
) -> StageChange | None:
    """Move `record` as `move` asks, or raise INVALID_TRANSITION and change nothing.

    Moving to the current stage is a no-op that writes no history (None is returned).
    """
    lifecycle = lifecycle_of(record)
    current = getattr(record, lifecycle.attribute)
    if move.to == current:
        return None
    needs = lifecycle.table.get(current, {}).get(move.to)
    if needs is None:
        raise UserInputError.single(
            ErrorCode.INVALID_TRANSITION,
            f"{lifecycle.model.__name__} cannot move from {current} to {move.to}.",
            ("to",),
        )
    _check_needs(needs, move)
    occurred_at = await _occurred_at(session, record, move)
    setattr(record, lifecycle.attribute, move.to)
    _derive(record, current, move, occurred_at)
    change = await _write_history(
        session, record, current, move.to, actor, occurred_at, move.cause, move.reason
    )
    if isinstance(record, Opportunity) and move.to is OpportunityStage.CLOSED_WON:
        await _after_win(session, record, actor=actor, occurred_at=occurred_at)
    return change


CONVERTIBLE = (LeadStatus.OPEN, LeadStatus.CONTACTED, LeadStatus.QUALIFIED)


async def mark_converted(
    session: AsyncSession, lead: Lead, *, actor: Principal, occurred_at: datetime
) -> StageChange:
    """CONVERTED, which no transition reaches: only lead conversion calls this."""
    check_convertible(lead)
    previous = lead.status
    lead.status = LeadStatus.CONVERTED
    return await _write_history(
        session,
        lead,
        previous,
        LeadStatus.CONVERTED,
        actor,
        occurred_at,
        StageChangeCause.LEAD_CONVERSION,
    )


def check_convertible(lead: Lead) -> None:
    if lead.status not in CONVERTIBLE:
        already = lead.status is LeadStatus.CONVERTED
        raise UserInputError.single(
            ErrorCode.INVALID_TRANSITION,
            "This lead is already converted."
            if already
            else f"A {lead.status} lead cannot be converted; reopen it first.",
            ("lead_id",),
        )


def _check_needs(needs: Needs, move: Move) -> None:
    if needs is Needs.REASON and not (move.reason and move.reason.strip()):
        raise UserInputError.single(
            ErrorCode.REQUIRED, "This move goes backwards: give a reason.", ("reason",)
        )
    if needs is Needs.LOST_REASON and not (move.lost_reason and move.lost_reason.strip()):
        raise UserInputError.single(
            ErrorCode.REQUIRED, "Closing as lost needs a lost reason.", ("lost_reason",)
        )


async def _latest_change_at(session: AsyncSession, record: RecordMixin) -> datetime | None:
    latest: datetime | None = await session.scalar(
        select(func.max(StageChange.occurred_at)).where(
            StageChange.workspace_id == record.workspace_id,
            StageChange.entity_type == lifecycle_of(record).entity_type,
            StageChange.record_id == record.id,
        )
    )
    return latest


async def ensure_after_history(
    session: AsyncSession, record: RecordMixin, moment: datetime
) -> None:
    """An imported time must not come before what the record's history already holds."""
    latest = await _latest_change_at(session, record)
    if latest is not None and moment < latest:
        raise UserInputError.single(
            ErrorCode.INVALID,
            f"occurredAt must not be before the record's latest change ({latest.isoformat()}).",
            ("occurred_at",),
        )


async def _occurred_at(session: AsyncSession, record: RecordMixin, move: Move) -> datetime:
    """When the move happened: an imported time, checked, or the server's.

    The server's own times (now, or the time of the move that caused an automatic one)
    never go before the record's latest change: two requests racing on one record must
    not write its history out of order.
    """
    if move.imported and move.occurred_at is not None:
        await ensure_after_history(session, record, move.occurred_at)
        return move.occurred_at
    moment = move.occurred_at or utcnow()
    latest = await _latest_change_at(session, record)
    return max(moment, latest) if latest is not None else moment


def check_import_time(moment: datetime, field: str = "occurred_at") -> list[FieldError]:
    try:
        in_utc = to_utc(moment)
    except InvalidValueError as invalid:
        return [FieldError(ErrorCode.INVALID, invalid.message, (field,))]
    if in_utc > utcnow():
        return [FieldError(ErrorCode.INVALID, "must not be in the future", (field,))]
    return []


def _derive(record: RecordMixin, previous: Any, move: Move, occurred_at: datetime) -> None:
    """What follows from the new stage: forecast, close dates, response and resolution times."""
    if isinstance(record, Opportunity):
        record.probability, record.forecast_category = STAGE_FORECAST[move.to]
        closing = move.to in CLOSED_STAGES
        record.closed_at = occurred_at if closing else None
        record.lost_reason = move.lost_reason if move.to is OpportunityStage.CLOSED_LOST else None
    elif isinstance(record, Case):
        if previous is CaseStatus.NEW and record.first_responded_at is None:
            record.first_responded_at = occurred_at
        if move.to is CaseStatus.RESOLVED:
            record.resolved_at = occurred_at
        elif move.to is CaseStatus.OPEN and previous in (CaseStatus.RESOLVED, CaseStatus.CLOSED):
            record.resolved_at = None


async def _write_history(
    session: AsyncSession,
    record: RecordMixin,
    from_stage: Any,
    to_stage: Any,
    actor: Principal,
    occurred_at: datetime,
    cause: StageChangeCause,
    reason: str | None = None,
) -> StageChange:
    change = StageChange(
        workspace_id=record.workspace_id,
        entity_type=lifecycle_of(record).entity_type,
        record_id=record.id,
        account_id=_account_of(record),
        from_stage=None if from_stage is None else str(from_stage),
        to_stage=str(to_stage),
        occurred_at=occurred_at,
        actor_api_key_id=actor.api_key_id,
        reason=reason.strip() if reason else None,
        cause=cause,
    )
    session.add(change)
    await session.flush()
    events.queue(
        session,
        events.StageChanged(
            workspace_id=change.workspace_id,
            stage_change_id=change.id,
            entity_type=change.entity_type.value,
            record_id=change.record_id,
            account_id=change.account_id,
            from_stage=change.from_stage,
            to_stage=change.to_stage,
            occurred_at=change.occurred_at,
            cause=change.cause.value,
            reason=change.reason,
            actor_api_key_id=change.actor_api_key_id,
            cursor=HISTORY_ORDERING.encode_cursor(change),
        ),
    )
    return change


async def advance(
    session: AsyncSession,
    records: Iterable[Account | Contact],
    to: LifecycleStage,
    *,
    cause: StageChangeCause,
    actor: Principal,
    occurred_at: datetime,
) -> None:
    """Automatic customer moves: forward along the funnel only, never out of CHURNED."""
    for record in records:
        current = record.lifecycle_stage
        if current is LifecycleStage.CHURNED or FUNNEL.index(to) <= FUNNEL.index(current):
            continue
        move = Move(to=to, cause=cause, reason=_AUTOMATIC_REASONS[cause], occurred_at=occurred_at)
        await transition(session, record, move, actor=actor)


_AUTOMATIC_REASONS = {
    StageChangeCause.LEAD_CONVERSION: "Converted from a lead.",
    StageChangeCause.FIRST_PURCHASE: "First won opportunity.",
    StageChangeCause.REPEAT_PURCHASE: "Repeat purchase: another won opportunity.",
    StageChangeCause.REACTIVATION: "Won an opportunity after churning.",
    StageChangeCause.REFERRAL: "A lead they referred converted.",
}


async def _after_win(
    session: AsyncSession, opportunity: Opportunity, *, actor: Principal, occurred_at: datetime
) -> None:
    """A won deal makes its account and primary contact customers, or repeat customers."""
    account = await _locked(session, Account, opportunity.account_id)
    contact = await _locked(session, Contact, opportunity.primary_contact_id)
    wins = await _won_count(session, opportunity)
    customers = [record for record in (account, contact) if record is not None]
    churned = [r for r in customers if r.lifecycle_stage is LifecycleStage.CHURNED]
    for record in churned:
        move = Move(
            to=LifecycleStage.RETENTION,
            cause=StageChangeCause.REACTIVATION,
            reason=_AUTOMATIC_REASONS[StageChangeCause.REACTIVATION],
            occurred_at=occurred_at,
        )
        await transition(session, record, move, actor=actor)
    target, cause = (
        (LifecycleStage.CONVERSION, StageChangeCause.FIRST_PURCHASE)
        if wins <= 1
        else (LifecycleStage.RETENTION, StageChangeCause.REPEAT_PURCHASE)
    )
    await advance(session, customers, target, cause=cause, actor=actor, occurred_at=occurred_at)


async def _won_count(session: AsyncSession, opportunity: Opportunity) -> int:
    """Won deals of the opportunity's account (or of its contact when it has no account)."""
    column = (
        Opportunity.account_id
        if opportunity.account_id is not None
        else Opportunity.primary_contact_id
    )
    key = opportunity.account_id or opportunity.primary_contact_id
    if key is None:
        return 1
    await session.flush()
    count = await session.scalar(
        select(func.count()).where(
            column == key,
            Opportunity.workspace_id == opportunity.workspace_id,
            Opportunity.stage == OpportunityStage.CLOSED_WON,
        )
    )
    return int(count or 0)


async def _locked(session: AsyncSession, model: type[Any], pk: int | None) -> Any:
    if pk is None:
        return None
    return await session.scalar(select(model).where(model.id == pk).with_for_update())
