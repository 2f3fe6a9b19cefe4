"""Customers over time: retention, churn, repeat purchases, and customer lifetime value.

A customer is an account that has won at least one opportunity (one that is CLOSED_WON at
that moment) and is not CHURNED.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import CTE, func, literal, null, select, type_coerce, union_all
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import EntityType, LifecycleStage, OpportunityStage
from db.models import Opportunity
from db.types import Money
from resolvers.metrics.amounts import CurrencyAmount, by_currency, ratio
from resolvers.metrics.sql import in_stage_at, points_table, stays, within
from resolvers.metrics.windows import Window

SECONDS_PER_YEAR = 365.25 * 86_400
WON = OpportunityStage.CLOSED_WON.value
CHURNED = LifecycleStage.CHURNED.value
REPEAT = 2  # won opportunities that make a repeat customer


@dataclass(frozen=True, slots=True)
class RetentionMetrics:
    customers_at_start: int = 0
    customers_at_end: int = 0
    new_customers: int = 0
    churned_customers: int = 0
    repeat_customers: int = 0

    @property
    def retention_rate(self) -> float | None:
        return ratio(self.customers_at_end - self.new_customers, self.customers_at_start)

    @property
    def churn_rate(self) -> float | None:
        return ratio(self.churned_customers, self.customers_at_start)

    @property
    def repeat_purchase_rate(self) -> float | None:
        return ratio(self.repeat_customers, self.customers_at_end)


@dataclass(frozen=True, slots=True)
class ClvMetrics:
    customers: int
    won_amounts: dict[str, Decimal] = field(default_factory=dict)
    won_counts: dict[str, int] = field(default_factory=dict)
    purchases_per_customer_per_year: float | None = None
    expected_lifespan_years: float | None = None

    @property
    def average_historic_value(self) -> list[CurrencyAmount]:
        return by_currency(
            {c: amount / self.customers for c, amount in self.won_amounts.items()}
            if self.customers
            else {}
        )

    def _order_values(self) -> dict[str, Decimal]:
        return {
            currency: amount / self.won_counts[currency]
            for currency, amount in self.won_amounts.items()
            if self.won_counts.get(currency)
        }

    @property
    def average_order_value(self) -> list[CurrencyAmount]:
        return by_currency(self._order_values())

    @property
    def predicted_value(self) -> list[CurrencyAmount]:
        return predicted(
            self._order_values(),
            self.purchases_per_customer_per_year,
            self.expected_lifespan_years,
        )


def predicted(
    order_values: dict[str, Decimal], per_year: float | None, lifespan_years: float | None
) -> list[CurrencyAmount]:
    """Average order value x purchases per year x expected lifespan in years."""
    if per_year is None or lifespan_years is None:
        return []
    factor = Decimal(per_year) * Decimal(lifespan_years)
    return by_currency({currency: value * factor for currency, value in order_values.items()})


@dataclass(frozen=True)
class CustomerHistory:
    """The stays retention reads, for one scope of accounts: their opportunities' stays in
    CLOSED_WON (with each deal's account, currency and amount) and the accounts' stays in
    CHURNED (nothing else is needed, so little is read)."""

    won: CTE
    churned: CTE

    @classmethod
    def of(cls, workspace_id: int, accounts: Any) -> CustomerHistory:
        their_opportunities = select(Opportunity.id).where(
            Opportunity.workspace_id == workspace_id,
            Opportunity.archived_at.is_(None),
            Opportunity.account_id.in_(accounts),
        )
        return cls(
            won=stays(
                workspace_id,
                EntityType.OPPORTUNITY,
                their_opportunities,
                "won_stays",
                only=[WON],
                record_columns=[Opportunity.account_id, Opportunity.currency, Opportunity.amount],
            ),
            churned=stays(
                workspace_id, EntityType.ACCOUNT, accounts, "churned_stays", only=[CHURNED]
            ),
        )

    def customer_deals(self, points: Any) -> CTE:
        """`(p, account_id, currency, amount, won_at)`: at each point, the deals won (and
        still won) by accounts that are customers then, i.e. not CHURNED.

        Wins and churns are stacked and each account's churn read by a window function over
        them, rather than anti-joined: the database cannot foresee how many rows a history
        yields, and a misjudged join here goes quadratic.
        """
        won, churned = self.won, self.churned
        wins = (
            select(
                points.c.p,
                won.c.account_id,
                won.c.currency,
                won.c.amount,
                won.c.started.label("won_at"),
                literal(0).label("churned"),
            )
            .select_from(won.join(points, in_stage_at(won, points.c.at)))
            .where(won.c.stage == WON)
        )
        churns = (
            select(
                points.c.p,
                churned.c.record_id,
                null(),
                null(),
                null(),
                literal(1),
            )
            .select_from(churned.join(points, in_stage_at(churned, points.c.at)))
            .where(churned.c.stage == CHURNED)
        )
        stacked = union_all(wins, churns).subquery("stacked")
        flagged = select(
            *stacked.c,
            func.max(stacked.c.churned)
            .over(partition_by=(stacked.c.p, stacked.c.account_id))
            .label("gone"),
        ).subquery("flagged")
        # A CTE: the customers at each point and the value of those at the end both read it.
        return (
            select(
                flagged.c.p,
                flagged.c.account_id,
                flagged.c.currency,
                type_coerce(flagged.c.amount, Money()).label("amount"),
                flagged.c.won_at,
            )
            .where(flagged.c.gone == 0, flagged.c.churned == 0)
            .cte("customer_deals")
        )

    def first_wins(self) -> Any:
        won = self.won
        return (
            select(won.c.account_id, func.min(won.c.started).label("first_won_at"))
            .where(won.c.stage == WON)
            .group_by(won.c.account_id)
            .subquery("first_wins")
        )


def boundaries(windows: Sequence[Window]) -> list[datetime]:
    """Every window's start and end, once each, in time order."""
    return sorted({moment for window in windows for moment in (window.start, window.end)})


@dataclass(frozen=True, slots=True)
class Customers:
    """What one statement reads of the customers: retention per window, and the deals of
    the customers at the end of the range (window 0), per currency, for their value."""

    retention: list[RetentionMetrics]
    won_amounts: dict[str, Decimal]
    won_counts: dict[str, int]
    won_in_range: int


async def customers(
    session: AsyncSession,
    *,
    workspace_id: int,
    accounts: Any,
    windows: Any,
    window_list: Sequence[Window],
) -> Customers:
    """Four measures of one history, stacked in one statement so that the stays are read
    once: each row says which it carries (`part`), its window or point (`k`), a currency
    where it has one, and its values."""
    history = CustomerHistory.of(workspace_id, accounts)
    span = window_list[0]
    moments = boundaries(window_list)
    deals = history.customer_deals(points_table(moments))
    per_customer = (
        select(deals.c.p, deals.c.account_id, func.count().label("wins"))
        .group_by(deals.c.p, deals.c.account_id)
        .subquery("per_customer")
    )
    first_wins = history.first_wins()
    churned = history.churned
    no_amount = type_coerce(null(), Money())
    stacked = union_all(
        select(
            literal("value"),
            deals.c.p,
            deals.c.currency,
            func.count(),
            func.count().filter(deals.c.won_at >= span.start),
            type_coerce(func.sum(deals.c.amount), Money()),
        )
        .where(deals.c.p == moments.index(span.end))
        .group_by(deals.c.p, deals.c.currency),
        select(
            literal("customers"),
            per_customer.c.p,
            null(),
            func.count(),
            func.count().filter(per_customer.c.wins >= REPEAT),
            no_amount,
        ).group_by(per_customer.c.p),
        select(literal("new"), windows.c.w, null(), func.count(), literal(0), no_amount)
        .select_from(first_wins.join(windows, within(first_wins.c.first_won_at, windows)))
        .group_by(windows.c.w),
        select(
            literal("churned"),
            windows.c.w,
            null(),
            func.count(churned.c.record_id.distinct()),
            literal(0),
            no_amount,
        )
        .select_from(churned.join(windows, within(churned.c.started, windows)))
        .where(churned.c.stage == CHURNED)
        .group_by(windows.c.w),
    )
    at_point: dict[int, tuple[int, int]] = {}
    new_and_churned: dict[int, dict[str, int]] = {w: {} for w in range(len(window_list))}
    amounts: dict[str, Decimal] = {}
    counts: dict[str, int] = {}
    won_in_range = 0
    for part, k, currency, first, second, amount in await session.execute(stacked):
        if part == "value":
            counts[currency] = first
            won_in_range += second
            if amount is not None:
                amounts[currency] = amount
        elif part == "customers":
            at_point[k] = (first, second)
        else:
            new_and_churned[k][f"{part}_customers"] = first
    results = []
    for w, window in enumerate(window_list):
        start = at_point.get(moments.index(window.start), (0, 0))
        end = at_point.get(moments.index(window.end), (0, 0))
        results.append(
            RetentionMetrics(
                customers_at_start=start[0],
                customers_at_end=end[0],
                repeat_customers=end[1],
                **new_and_churned[w],
            )
        )
    return Customers(results, amounts, counts, won_in_range)


def lifetime_value(found: Customers, span: Window) -> ClvMetrics:
    """Customer lifetime value at the end of `span` (the report's whole range, window 0).

    Purchases per customer per year are the customers' wins closed within the range,
    annualized; the expected lifespan is one over the range's churn rate, annualized.
    """
    retained = found.retention[0]
    years = (span.end - span.start).total_seconds() / SECONDS_PER_YEAR
    customers_count = retained.customers_at_end
    yearly_churn = None if retained.churn_rate is None else retained.churn_rate / years
    return ClvMetrics(
        customers=customers_count,
        won_amounts=found.won_amounts,
        won_counts=found.won_counts,
        purchases_per_customer_per_year=ratio(found.won_in_range, customers_count * years),
        expected_lifespan_years=ratio(1, yearly_churn),
    )
