"""Customers over time: retention, churn, repeat purchases, and customer lifetime value.

A customer is an account that has won at least one opportunity (one that is CLOSED_WON at
that moment) and is not CHURNED.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import CTE, and_, func, select, type_coerce
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import EntityType, LifecycleStage, OpportunityStage
from db.models import Opportunity
from db.types import Money
from resolvers.metrics.amounts import CurrencyAmount, by_currency, ratio
from resolvers.metrics.sql import in_stage_at, stays, within
from resolvers.metrics.windows import Window

SECONDS_PER_YEAR = 365.25 * 86_400
WON = OpportunityStage.CLOSED_WON.value
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
    """The histories retention reads, for one scope of accounts."""

    accounts: CTE
    opportunities: CTE

    @classmethod
    def of(cls, workspace_id: int, accounts: Any) -> CustomerHistory:
        their_opportunities = select(Opportunity.id).where(
            Opportunity.workspace_id == workspace_id,
            Opportunity.archived_at.is_(None),
            Opportunity.account_id.in_(accounts),
        )
        return cls(
            accounts=stays(workspace_id, EntityType.ACCOUNT, accounts, "account_stays"),
            opportunities=stays(
                workspace_id, EntityType.OPPORTUNITY, their_opportunities, "won_stays"
            ),
        )

    def customers_at(self, windows: Any, moment: Any) -> Any:
        """`(w, account_id, wins)`: the customers at `moment` of each window."""
        won = self.opportunities
        wins = (
            select(
                windows.c.w,
                moment.label("moment"),
                Opportunity.account_id,
                func.count().label("wins"),
            )
            .select_from(
                won.join(windows, in_stage_at(won, moment)).join(
                    Opportunity, Opportunity.id == won.c.record_id
                )
            )
            .where(won.c.stage == WON)
            .group_by(windows.c.w, moment, Opportunity.account_id)
            .subquery("wins")
        )
        account = self.accounts
        return (
            select(wins.c.w, wins.c.account_id, wins.c.wins)
            .join(
                account,
                and_(
                    account.c.record_id == wins.c.account_id,
                    in_stage_at(account, wins.c.moment),
                ),
            )
            .where(account.c.stage != LifecycleStage.CHURNED.value)
            .subquery("customers")
        )

    def first_wins(self) -> Any:
        won = self.opportunities
        return (
            select(Opportunity.account_id, func.min(won.c.started).label("first_won_at"))
            .join(Opportunity, Opportunity.id == won.c.record_id)
            .where(won.c.stage == WON)
            .group_by(Opportunity.account_id)
            .subquery("first_wins")
        )


async def retention(
    session: AsyncSession,
    *,
    workspace_id: int,
    accounts: Any,
    windows: Any,
    window_list: Sequence[Window],
) -> list[RetentionMetrics]:
    history = CustomerHistory.of(workspace_id, accounts)
    measures: dict[int, dict[str, int]] = {w: {} for w in range(len(window_list))}
    at_start = history.customers_at(windows, windows.c.w_start)
    for w, count in await session.execute(
        select(at_start.c.w, func.count()).group_by(at_start.c.w)
    ):
        measures[w]["customers_at_start"] = count
    at_end = history.customers_at(windows, windows.c.w_end)
    for w, count, repeat in await session.execute(
        select(at_end.c.w, func.count(), func.count().filter(at_end.c.wins >= REPEAT)).group_by(
            at_end.c.w
        )
    ):
        measures[w].update(customers_at_end=count, repeat_customers=repeat)
    first_wins = history.first_wins()
    for w, count in await session.execute(
        select(windows.c.w, func.count())
        .select_from(first_wins.join(windows, within(first_wins.c.first_won_at, windows)))
        .group_by(windows.c.w)
    ):
        measures[w]["new_customers"] = count
    account = history.accounts
    for w, count in await session.execute(
        select(windows.c.w, func.count(account.c.record_id.distinct()))
        .select_from(account.join(windows, within(account.c.started, windows)))
        .where(account.c.stage == LifecycleStage.CHURNED.value)
        .group_by(windows.c.w)
    ):
        measures[w]["churned_customers"] = count
    return [RetentionMetrics(**measures[w]) for w in range(len(window_list))]


async def lifetime_value(
    session: AsyncSession,
    *,
    workspace_id: int,
    accounts: Any,
    windows: Any,
    span: Window,
    retained: RetentionMetrics,
) -> ClvMetrics:
    """Customer lifetime value at the end of `span` (the report's whole range, window 0).

    Purchases per customer per year are the customers' wins closed within the range,
    annualized; the expected lifespan is one over the range's churn rate, annualized.
    """
    history = CustomerHistory.of(workspace_id, accounts)
    customers = history.customers_at(windows, windows.c.w_end)
    won = history.opportunities
    rows = await session.execute(
        select(
            Opportunity.currency,
            func.count(),
            type_coerce(func.sum(Opportunity.amount), Money()),
            func.count().filter(won.c.started >= windows.c.w_start),
        )
        .select_from(
            won.join(windows, and_(windows.c.w == 0, in_stage_at(won, windows.c.w_end)))
            .join(Opportunity, Opportunity.id == won.c.record_id)
            .join(
                customers,
                and_(customers.c.w == 0, customers.c.account_id == Opportunity.account_id),
            )
        )
        .where(won.c.stage == WON)
        .group_by(Opportunity.currency)
    )
    amounts: dict[str, Decimal] = {}
    counts: dict[str, int] = {}
    won_in_range = 0
    for currency, count, amount, in_range in rows.all():
        counts[currency] = count
        won_in_range += in_range
        if amount is not None:
            amounts[currency] = amount
    years = (span.end - span.start).total_seconds() / SECONDS_PER_YEAR
    customers_count = retained.customers_at_end
    yearly_churn = None if retained.churn_rate is None else retained.churn_rate / years
    return ClvMetrics(
        customers=customers_count,
        won_amounts=amounts,
        won_counts=counts,
        purchases_per_customer_per_year=ratio(won_in_range, customers_count * years),
        expected_lifespan_years=ratio(1, yearly_churn),
    )
