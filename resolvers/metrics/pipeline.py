"""The sales pipeline: what is open at the end of a window, what closed within it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import case, func, or_, select, type_coerce
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import EntityType, OpportunityStage
from db.models import Opportunity
from db.types import Money
from resolvers.lifecycle import CLOSED_STAGES, OPEN_STAGES, STAGE_FORECAST
from resolvers.metrics.amounts import CurrencyAmount, by_currency, ratio, to_cents
from resolvers.metrics.sql import (
    held_at_ends,
    in_windows,
    seconds_between,
    stays,
)
from resolvers.metrics.windows import Window, earliest_start

SECONDS_PER_DAY = 86_400
OPEN_VALUES = [stage.value for stage in OPEN_STAGES]
CLOSED_VALUES = [stage.value for stage in CLOSED_STAGES]


@dataclass(frozen=True, slots=True)
class CurrencyPipeline:
    """One currency's share of a window's pipeline, as the database summed it."""

    currency: str
    open_count: int
    open_amount: Decimal | None
    weighted_amount: Decimal | None
    won_count: int
    won_amount: Decimal | None
    lost_count: int
    won_cycle_seconds: float | None

    @property
    def win_rate(self) -> float | None:
        return ratio(self.won_count, self.won_count + self.lost_count)

    @property
    def average_deal_size(self) -> Decimal | None:
        return self.won_amount / self.won_count if self.won_amount is not None else None

    @property
    def sales_velocity_per_day(self) -> Decimal | None:
        cycle_days = ratio(self.won_cycle_seconds, self.won_count * SECONDS_PER_DAY)
        if self.average_deal_size is None or self.win_rate is None or not cycle_days:
            return None
        velocity = self.open_count * self.average_deal_size * Decimal(self.win_rate)
        return velocity / Decimal(cycle_days)


@dataclass(frozen=True, slots=True)
class PipelineMetrics:
    currencies: Sequence[CurrencyPipeline] = field(default_factory=list)

    @property
    def open_count(self) -> int:
        return sum(part.open_count for part in self.currencies)

    @property
    def won_count(self) -> int:
        return sum(part.won_count for part in self.currencies)

    @property
    def lost_count(self) -> int:
        return sum(part.lost_count for part in self.currencies)

    @property
    def win_rate(self) -> float | None:
        return ratio(self.won_count, self.won_count + self.lost_count)

    @property
    def average_sales_cycle_days(self) -> float | None:
        total = sum(part.won_cycle_seconds or 0.0 for part in self.currencies)
        return ratio(total, self.won_count * SECONDS_PER_DAY)

    def _amounts(self, name: str) -> list[CurrencyAmount]:
        return by_currency({part.currency: getattr(part, name) for part in self.currencies})

    @property
    def open_amount(self) -> list[CurrencyAmount]:
        return self._amounts("open_amount")

    @property
    def weighted_amount(self) -> list[CurrencyAmount]:
        return self._amounts("weighted_amount")

    @property
    def won_amount(self) -> list[CurrencyAmount]:
        return self._amounts("won_amount")

    @property
    def average_deal_size(self) -> list[CurrencyAmount]:
        return self._amounts("average_deal_size")

    @property
    def sales_velocity_per_day(self) -> list[CurrencyAmount]:
        return self._amounts("sales_velocity_per_day")


def _open_probability(stage: Any) -> Any:
    """The win probability (percent) the lifecycle engine gives each open stage (0 otherwise)."""
    return case(
        {value.value: STAGE_FORECAST[value][0] for value in OPEN_STAGES},
        value=stage,
        else_=0,
    )


async def open_at_ends(
    session: AsyncSession,
    *,
    workspace_id: int,
    opportunities: Any,
    window_list: Sequence[Window],
    rewind: bool = False,
) -> dict[tuple[int, str], tuple[int, Any, Any]]:
    """Per window and currency: opportunities open at its end, their amount, and their
    amount x the probability (percent) of the stage each was in then."""
    ends = sorted({window.end for window in window_list})
    held = held_at_ends(
        workspace_id,
        EntityType.OPPORTUNITY,
        opportunities,
        ends,
        stages=OPEN_VALUES,
        amount=Opportunity.amount,
        weights=lambda stage: (1, _open_probability(stage)),
        keys=[Opportunity.currency],
        rewind=rewind,
    ).subquery("open_at_ends")
    rows = await session.execute(
        select(
            held.c.p,
            held.c.currency,
            held.c.held,
            held.c.priced,
            type_coerce(held.c.value0, Money()),
            type_coerce(held.c.value1, Money()),
        ).where(held.c.held > 0)
    )
    # Deals without an amount are counted but add nothing; when no open deal of a currency
    # has one, its amounts are unknown (null), as for won deals, not 0.
    at_end = {
        (p, currency): (count, total, weighted) if priced else (count, None, None)
        for p, currency, count, priced, total, weighted in rows
    }
    return {
        (w, currency): values
        for w, window in enumerate(window_list)
        for (p, currency), values in at_end.items()
        if ends[p] == window.end
    }


async def closed_within(
    session: AsyncSession,
    *,
    workspace_id: int,
    opportunities: Any,
    window_list: Sequence[Window],
) -> dict[tuple[int, str], tuple[int, Any, int, Any]]:
    """Per window and currency: opportunities whose final close fell in it (still closed at
    its end): won, their amount, lost, and the won ones' seconds from creation to close.

    Read from the stays in a closed stage that began within the windows: the moves into a
    closed stage and the moves out of one (a reopen or a revival), each a range of the index
    on stage and time. A close still holds at the window's end when its stay had not ended.
    """
    closed_stays = stays(
        workspace_id,
        EntityType.OPPORTUNITY,
        opportunities,
        "closed_stays",
        only=CLOSED_VALUES,
        since=earliest_start(window_list),
        record_columns=[Opportunity.currency, Opportunity.amount, Opportunity.created_at],
    )
    close = select(
        closed_stays.c.stage,
        closed_stays.c.started.label("closed_at"),
        closed_stays.c.ended.label("next_move_at"),
        closed_stays.c.currency,
        closed_stays.c.amount,
        closed_stays.c.created_at,
    ).where(closed_stays.c.stage.in_(CLOSED_VALUES))
    paired = in_windows(close, closed_stays.c.started, window_list)
    won = paired.c.stage == OpportunityStage.CLOSED_WON.value
    amount = type_coerce(paired.c.amount, Money())
    query = (
        select(
            paired.c.w,
            paired.c.currency,
            func.count().filter(won),
            type_coerce(func.sum(amount).filter(won), Money()),
            func.count().filter(~won),
            func.sum(seconds_between(paired.c.closed_at, paired.c.created_at)).filter(won),
        )
        .where(or_(paired.c.next_move_at.is_(None), paired.c.next_move_at >= paired.c.w_end))
        .group_by(paired.c.w, paired.c.currency)
    )
    rows = await session.execute(query)
    return {
        (w, currency): (won_count, won_sum, lost_count, cycle)
        for w, currency, won_count, won_sum, lost_count, cycle in rows
    }


def combine(
    windows: int,
    open_: dict[tuple[int, str], tuple[int, Any, Any]],
    closed: dict[tuple[int, str], tuple[int, Any, int, Any]],
) -> list[PipelineMetrics]:
    """Per window, the open and the closed figures of each currency together."""
    parts: dict[int, list[CurrencyPipeline]] = {}
    for w, currency in sorted(open_.keys() | closed.keys()):
        open_count, open_sum, weighted_x100 = open_.get((w, currency), (0, None, None))
        won_count, won_sum, lost_count, cycle = closed.get((w, currency), (0, None, 0, None))
        parts.setdefault(w, []).append(
            CurrencyPipeline(
                currency=currency,
                open_count=open_count,
                open_amount=open_sum,
                weighted_amount=None if weighted_x100 is None else to_cents(weighted_x100 / 100),
                won_count=won_count,
                won_amount=won_sum,
                lost_count=lost_count,
                won_cycle_seconds=None if cycle is None else float(cycle),
            )
        )
    return [PipelineMetrics(parts.get(w, [])) for w in range(windows)]
