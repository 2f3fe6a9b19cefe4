"""Lifecycle metrics: every KPI computed by aggregate SQL over the history and the records.

A report covers a half-open range [from, to) in UTC and, when its series is asked for, one
bucket per interval. Each family of measures (funnel, pipeline, cases, ...) is computed
once per report, for the range and all buckets together, on first use.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from enum import StrEnum
from typing import Any, TypeVar

from sqlalchemy import func, select, text, type_coerce
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from db.base import utcnow
from db.enums import EntityType, LifecycleStage, OpportunityStage
from db.models import Opportunity
from db.types import Money
from resolvers import global_ids
from resolvers.errors import BadRequestError
from resolvers.metrics import pipeline
from resolvers.metrics.advocacy import AdvocacyMetrics, referrals
from resolvers.metrics.amounts import CurrencyAmount, by_currency
from resolvers.metrics.campaigns import CampaignMetrics, campaigns
from resolvers.metrics.cases import CaseMetrics, cases
from resolvers.metrics.funnel import StageMetrics, funnel
from resolvers.metrics.pipeline import PipelineMetrics
from resolvers.metrics.retention import (
    ClvMetrics,
    Customers,
    RetentionMetrics,
    customers,
    lifetime_value,
    predicted,
)
from resolvers.metrics.scope import Scope
from resolvers.metrics.sql import cheaper_to_rewind, history_start, windows_table
from resolvers.metrics.windows import Interval, Window, buckets, checked_range
from resolvers.principal import Principal

__all__ = [
    "AdvocacyMetrics",
    "CampaignMetrics",
    "CaseMetrics",
    "ClvMetrics",
    "CurrencyAmount",
    "Interval",
    "LifetimeValue",
    "PipelineMetrics",
    "Report",
    "RetentionMetrics",
    "StageMetrics",
    "Subject",
    "Window",
    "account_lifetime_values",
    "report",
]

T = TypeVar("T")


class Subject(StrEnum):
    """Whose lifecycle the funnel and advocacy count."""

    ACCOUNT = "ACCOUNT"
    CONTACT = "CONTACT"


class Report:
    """The measures of one `lifecycleMetrics` query over `windows` (by default, the range)."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        *,
        scope: Scope,
        span: Window,
        subject: Subject,
        windows: Sequence[Window] = (),
    ) -> None:
        self._sessions = sessions
        self.scope = scope
        self.span = span
        self.subject = subject
        self.windows = list(windows) or [span]
        self._computed: dict[str, asyncio.Future[Any]] = {}

    async def _once(
        self,
        name: str,
        compute: Callable[[AsyncSession], Awaitable[T]],
        *,
        analytic: bool = True,
    ) -> T:
        """Compute a family of measures on first use; later callers share the result.
        `analytic` sessions get the settings of a report's heavy statements."""
        if name not in self._computed:
            future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
            self._computed[name] = future
            try:
                async with self._sessions() as session:
                    if analytic:
                        await _analytic(session)
                    future.set_result(await compute(session))
            except BaseException as error:
                future.set_exception(error)
                future.exception()  # retrieved here; every awaiter re-raises it
        result: T = await self._computed[name]
        return result

    def _table(self) -> Any:
        return windows_table(self.windows)

    async def _rewind(self) -> bool:
        """Whether the states at the windows' ends are read backward from now (see
        `held_at_ends`), judged once per report from when the workspace's history began."""
        start = await self._once(
            "history_start",
            lambda session: history_start(session, self.scope.workspace_id),
            analytic=False,  # one index probe
        )
        return cheaper_to_rewind(sorted({window.end for window in self.windows}), start)

    async def funnel(self) -> list[list[StageMetrics]]:
        contacts = self.subject is Subject.CONTACT
        records = self.scope.contacts() if contacts else self.scope.accounts()
        rewind = await self._rewind()
        return await self._once(
            "funnel",
            lambda session: funnel(
                session,
                workspace_id=self.scope.workspace_id,
                subject=EntityType.CONTACT if contacts else EntityType.ACCOUNT,
                records=records,
                window_list=self.windows,
                rewind=rewind,
            ),
        )

    async def pipeline(self) -> list[PipelineMetrics]:
        # Two statements, each over the stays it needs, run side by side.
        rewind = await self._rewind()
        open_, closed = await asyncio.gather(
            self._once(
                "pipeline_open",
                lambda session: pipeline.open_at_ends(
                    session,
                    workspace_id=self.scope.workspace_id,
                    opportunities=self.scope.opportunities(),
                    window_list=self.windows,
                    rewind=rewind,
                ),
            ),
            self._once(
                "pipeline_closed",
                lambda session: pipeline.closed_within(
                    session,
                    workspace_id=self.scope.workspace_id,
                    opportunities=self.scope.opportunities(),
                    window_list=self.windows,
                ),
            ),
        )
        return pipeline.combine(len(self.windows), open_, closed)

    async def cases(self) -> list[CaseMetrics]:
        rewind = await self._rewind()
        return await self._once(
            "cases",
            lambda session: cases(
                session,
                workspace_id=self.scope.workspace_id,
                conditions=self.scope.case_conditions(),
                window_list=self.windows,
                rewind=rewind,
            ),
        )

    async def campaigns(self) -> list[CampaignMetrics]:
        return await self._once(
            "campaigns",
            lambda session: campaigns(
                session,
                workspace_id=self.scope.workspace_id,
                campaign_conditions=self.scope.campaign_conditions(),
                span=self.span,
            ),
        )

    async def _customers(self) -> Customers:
        return await self._once(
            "customers",
            lambda session: customers(
                session,
                workspace_id=self.scope.workspace_id,
                accounts=self.scope.accounts(),
                windows=self._table(),
                window_list=self.windows,
            ),
        )

    async def retention(self) -> list[RetentionMetrics]:
        return (await self._customers()).retention

    async def lifetime_value(self) -> ClvMetrics:
        return lifetime_value(await self._customers(), self.span)

    async def advocacy(self) -> list[AdvocacyMetrics]:
        stages = await self.funnel()
        referred = await self._once(
            "referrals",
            lambda session: referrals(
                session,
                lead_conditions=self.scope.lead_conditions(),
                windows=self._table(),
                window_list=self.windows,
            ),
        )
        return [
            AdvocacyMetrics(
                advocates=next(s.current for s in stages[w] if s.stage is LifecycleStage.ADVOCACY),
                referred_leads=referred[w][0],
                referred_leads_converted=referred[w][1],
            )
            for w in range(len(self.windows))
        ]


async def _analytic(session: AsyncSession) -> None:
    """Room for sorts and hashes of a report (PostgreSQL's default, 4 MB, spills to disk),
    and no parallel workers: a report already runs its families side by side, and workers
    would compete with them for the same cores (measured: a parallel plan rebuilt the same
    hash table in every worker and took twice as long). No JIT either: these statements
    look costly to the planner but run in tens of milliseconds, less than compiling them."""
    if session.get_bind().dialect.name == "postgresql":
        await session.execute(
            text(
                "SELECT set_config('work_mem', '64MB', true), "
                "set_config('max_parallel_workers_per_gather', '0', true), "
                "set_config('jit', 'off', true)"
            )
        )


def report(
    sessions: async_sessionmaker[AsyncSession],
    *,
    principal: Principal,
    start: datetime,
    end: datetime,
    interval: Interval,
    subject: Subject,
    owner_id: str | None,
    campaign_id: str | None,
    with_series: bool,
) -> Report:
    """The report over the range (window 0), then the series' buckets when asked for.

    The buckets are checked either way, so a range too long for its interval is refused
    whatever the selection. A bad argument is a BadRequestError.
    """
    span = checked_range(start, end)
    series = buckets(span, interval)
    scope = Scope(
        principal.workspace_id,
        owner_id=_decoded(owner_id, "User", "ownerId"),
        campaign_id=_decoded(campaign_id, "Campaign", "campaignId"),
    )
    windows = [span, *series] if with_series else [span]
    return Report(sessions, scope=scope, span=span, subject=subject, windows=windows)


def _decoded(global_id: str | None, type_name: str, field: str) -> int | None:
    if global_id is None:
        return None
    pk = global_ids.decode_as(global_id, type_name)
    if pk is None:
        raise BadRequestError(f"filter.{field}: {global_id!r} is not the id of a {type_name}.")
    return pk


@dataclass(frozen=True, slots=True)
class LifetimeValue:
    historic: list[CurrencyAmount]
    predicted: list[CurrencyAmount]


async def account_lifetime_values(
    sessions: async_sessionmaker[AsyncSession], *, principal: Principal, account_ids: list[int]
) -> list[LifetimeValue]:
    """Per account: the amounts it has won, and its predicted lifetime value, which is its
    own average order value x the workspace's purchases per customer per year x expected
    customer lifespan, both measured over the last year."""
    now = utcnow()
    workspace = Report(
        sessions,
        scope=Scope(principal.workspace_id),
        span=Window(now - timedelta(days=365), now),
        subject=Subject.ACCOUNT,
    )
    factors = await workspace.lifetime_value()
    async with sessions() as session:
        rows = await session.execute(
            select(
                Opportunity.account_id,
                Opportunity.currency,
                func.count(),
                type_coerce(func.sum(Opportunity.amount), Money()),
            )
            .where(
                Opportunity.workspace_id == principal.workspace_id,
                Opportunity.archived_at.is_(None),
                Opportunity.account_id.in_(account_ids),
                Opportunity.stage == OpportunityStage.CLOSED_WON,
            )
            .group_by(Opportunity.account_id, Opportunity.currency)
        )
    won: dict[int, dict[str, tuple[int, Decimal]]] = {}
    by_account: list[Any] = list(rows.all())  # account_id is never null here
    for account_id, currency, count, amount in by_account:
        if amount is not None:
            won.setdefault(account_id, {})[currency] = (count, amount)
    values = []
    for account_id in account_ids:
        mine = won.get(account_id, {})
        values.append(
            LifetimeValue(
                historic=by_currency({c: amount for c, (_n, amount) in mine.items()}),
                predicted=predicted(
                    {c: amount / n for c, (n, amount) in mine.items()},
                    factors.purchases_per_customer_per_year,
                    factors.expected_lifespan_years,
                ),
            )
        )
    return values
