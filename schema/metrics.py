"""`lifecycleMetrics`: the lifecycle KPIs of the workspace over a range and as a time series.

Field methods hand the work to `resolvers.metrics`; the values they return are its plain
result objects, read attribute by attribute.
"""

from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any

import strawberry
from strawberry.types import Info
from strawberry.types.nodes import SelectedField

from resolvers import metrics
from schema.enums import LifecycleStage

MetricsInterval = strawberry.enum(
    metrics.Interval,
    name="MetricsInterval",
    description="Length of the series' buckets; they start on UTC boundaries "
    "(days at 00:00, ISO weeks on Monday, months and quarters on their first day).",
)
MetricsSubject = strawberry.enum(
    metrics.Subject,
    name="MetricsSubject",
    description="Whose lifecycle stages the funnel and advocacy count.",
)

RATE = "A share between 0 and 1; null when nothing was there to count."
NO_AMOUNT = (
    "An opportunity without an amount is counted but adds nothing; a currency none of whose "
    "opportunities here has an amount is left out."
)


@strawberry.type(
    description="An amount in one currency; amounts are never summed across currencies."
)
class CurrencyAmount:
    currency: str = strawberry.field(description="ISO 4217 code.")
    amount: Decimal


@strawberry.input(description="A half-open span of time, [from, to).")
class MetricsRange:
    from_: datetime = strawberry.field(name="from", description="Included.")
    to: datetime = strawberry.field(description="Excluded.")


@strawberry.input(description="Narrows every measure; both criteria must hold.")
class LifecycleMetricsFilter:
    owner_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="Only records this user owns (accounts, contacts, opportunities, cases, "
        "leads, campaigns).",
    )
    campaign_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="Only what this campaign sourced: its leads and opportunities, the accounts "
        "and contacts converted from its leads or holding its opportunities, and the cases of "
        "those accounts.",
    )


@strawberry.type(description="One funnel stage of the chosen subject (accounts or contacts).")
class StageMetrics:
    stage: LifecycleStage
    current: int = strawberry.field(
        description="Records in the stage at `to` (after every change before `to`)."
    )
    entered: int = strawberry.field(description="Records that entered the stage within the range.")
    advanced: int = strawberry.field(
        description="Of those that entered within the range, how many reached a later funnel "
        "stage (after their first entry) before `to`."
    )
    conversion_rate: float | None = strawberry.field(
        description="advanced / entered; null when entered is 0."
    )
    drop_off_rate: float | None = strawberry.field(
        description="1 - conversionRate; null when entered is 0."
    )
    average_time_in_stage_seconds: float | None = strawberry.field(
        description="Mean length of the stays in the stage that ended within the range."
    )
    median_time_in_stage_seconds: float | None = strawberry.field(
        description="Median length of the stays in the stage that ended within the range."
    )


@strawberry.type(
    description="The opportunity pipeline. Amounts are the opportunities' current amounts, one "
    "entry per currency. An opportunity reopened and closed again counts by its last close."
)
class PipelineMetrics:
    open_count: int = strawberry.field(description="Opportunities open at `to`.")
    open_amount: list[CurrencyAmount] = strawberry.field(
        description="Sum of the amounts of the opportunities open at `to`, per currency. "
        + NO_AMOUNT
    )
    weighted_amount: list[CurrencyAmount] = strawberry.field(
        description="Sum of amount x probability / 100 over the opportunities open at `to`, with "
        "the probability of the stage each was in at `to`. " + NO_AMOUNT
    )
    won_count: int = strawberry.field(description="Opportunities closed won within the range.")
    won_amount: list[CurrencyAmount] = strawberry.field(
        description="Sum of the amounts of the opportunities won within the range, per "
        "currency. " + NO_AMOUNT
    )
    lost_count: int = strawberry.field(description="Opportunities closed lost within the range.")
    win_rate: float | None = strawberry.field(description="won / (won + lost). " + RATE)
    average_deal_size: list[CurrencyAmount] = strawberry.field(
        description="wonAmount / wonCount, per currency."
    )
    average_sales_cycle_days: float | None = strawberry.field(
        description="Mean of (close time - createdAt) in days over the opportunities won within "
        "the range."
    )
    sales_velocity_per_day: list[CurrencyAmount] = strawberry.field(
        description="openCount x averageDealSize x winRate / averageSalesCycleDays, each "
        "currency computed from its own opportunities."
    )


@strawberry.type(description="Support case KPIs.")
class CaseMetrics:
    created: int = strawberry.field(description="Cases created within the range.")
    resolved: int = strawberry.field(description="Cases moved to RESOLVED within the range.")
    backlog: int = strawberry.field(description="Cases neither RESOLVED nor CLOSED at `to`.")
    median_first_response_seconds: float | None = strawberry.field(
        description="Median of (firstRespondedAt - createdAt) over the cases first answered "
        "within the range."
    )
    p90_first_response_seconds: float | None = strawberry.field(
        description="90th percentile (linear interpolation) of the same."
    )
    median_resolution_seconds: float | None = strawberry.field(
        description="Median time from creation to the last resolution within the range, over "
        "the cases resolved within the range."
    )
    sla_compliance_rate: float | None = strawberry.field(
        description="Of the cases whose first-response due time fell within the range, the "
        "share answered by that time. " + RATE
    )
    escalation_rate: float | None = strawberry.field(
        description="Of the cases created within the range, the share escalated before `to`. "
        + RATE
    )
    reopen_rate: float | None = strawberry.field(
        description="Of the cases resolved within the range, the share reopened after that "
        "resolution, before `to`. " + RATE
    )
    csat: float | None = strawberry.field(
        description="Share of scores 4 and 5 among the satisfaction scores given within the "
        "range. " + RATE
    )


@strawberry.type(
    description="One campaign that was ACTIVE at some moment of the range, with its figures "
    "up to `to`."
)
class CampaignMetrics:
    campaign: Annotated["Campaign", strawberry.lazy("schema.campaigns")]
    leads: int = strawberry.field(description="Leads sourced by the campaign, created before `to`.")
    converted_leads: int = strawberry.field(description="Of those, converted before `to`.")
    lead_conversion_rate: float | None = strawberry.field(
        description="convertedLeads / leads. " + RATE
    )
    opportunities: int = strawberry.field(
        description="Opportunities sourced by the campaign, created before `to`."
    )
    won_opportunities: int = strawberry.field(description="Of those, CLOSED_WON at `to`.")
    won_amount: list[CurrencyAmount] = strawberry.field(
        description="Sum of the amounts of the won opportunities."
    )
    actual_cost: Decimal | None = strawberry.field(description="In the campaign's currency.")
    cost_per_lead: Decimal | None = strawberry.field(
        description="actualCost / leads; null without a cost or leads."
    )
    roi: float | None = strawberry.field(
        description="(wonAmount - actualCost) / actualCost, with the won amount in the "
        "campaign's currency; null without a cost."
    )


@strawberry.type(
    description="Customers are accounts with at least one opportunity CLOSED_WON at that "
    "moment that are not CHURNED."
)
class RetentionMetrics:
    customers_at_start: int = strawberry.field(description="S: customers at `from`.")
    customers_at_end: int = strawberry.field(description="E: customers at `to`.")
    new_customers: int = strawberry.field(
        description="N: accounts whose first won opportunity closed within the range."
    )
    churned_customers: int = strawberry.field(
        description="Accounts moved to CHURNED within the range."
    )
    retention_rate: float | None = strawberry.field(
        description="(E - N) / S; null when S is 0. Can exceed 1 when former customers return."
    )
    churn_rate: float | None = strawberry.field(description="churnedCustomers / S. " + RATE)
    repeat_purchase_rate: float | None = strawberry.field(
        description="Of the customers at `to`, the share with two or more won opportunities. "
        + RATE
    )


@strawberry.type(description="Customer lifetime value at `to`, per currency.")
class ClvMetrics:
    customers: int = strawberry.field(description="Customers at `to`.")
    average_historic_value: list[CurrencyAmount] = strawberry.field(
        description="Sum of the customers' won amounts (all time up to `to`) / customers."
    )
    average_order_value: list[CurrencyAmount] = strawberry.field(
        description="Sum of the customers' won amounts / their won opportunities."
    )
    purchases_per_customer_per_year: float | None = strawberry.field(
        description="The customers' opportunities won within the range / customers, per year."
    )
    expected_lifespan_years: float | None = strawberry.field(
        description="1 / annualized churn rate (churnRate scaled to a year); null without churn."
    )
    predicted_value: list[CurrencyAmount] = strawberry.field(
        description="averageOrderValue x purchasesPerCustomerPerYear x expectedLifespanYears."
    )


@strawberry.type(description="Advocates and the leads they refer.")
class AdvocacyMetrics:
    advocates: int = strawberry.field(description="Subject records in ADVOCACY at `to`.")
    referred_leads: int = strawberry.field(
        description="Leads created within the range with a referring contact."
    )
    referred_leads_converted: int = strawberry.field(description="Of those, converted before `to`.")
    referral_conversion_rate: float | None = strawberry.field(
        description="referredLeadsConverted / referredLeads. " + RATE
    )


@strawberry.type(description="An account's value: what it has won, and what it is predicted to.")
class LifetimeValue:
    historic: list[CurrencyAmount] = strawberry.field(
        description="Sum of the amounts of its won opportunities, per currency."
    )
    predicted: list[CurrencyAmount] = strawberry.field(
        description="Its average order value x the workspace's purchases per customer per year "
        "x expected customer lifespan, both measured over the last 365 days."
    )


@strawberry.type
class WindowMeasures:
    """The measures the whole range and each bucket of its series share: those of one
    window of the report (0 is the range, the buckets follow)."""

    _report: strawberry.Private[metrics.Report]
    _index: strawberry.Private[int]

    @strawberry.field(description="REACH, ACQUISITION, CONVERSION, RETENTION, ADVOCACY, in order.")
    async def funnel(self) -> list[StageMetrics]:
        return (await self._report.funnel())[self._index]  # type: ignore[return-value]

    @strawberry.field
    async def pipeline(self) -> PipelineMetrics:
        return (await self._report.pipeline())[self._index]  # type: ignore[return-value]

    @strawberry.field
    async def cases(self) -> CaseMetrics:
        return (await self._report.cases())[self._index]  # type: ignore[return-value]

    @strawberry.field
    async def retention(self) -> RetentionMetrics:
        return (await self._report.retention())[self._index]  # type: ignore[return-value]

    @strawberry.field
    async def advocacy(self) -> AdvocacyMetrics:
        return (await self._report.advocacy())[self._index]  # type: ignore[return-value]


@strawberry.type(description="The measures of one bucket of the series, for that bucket alone.")
class MetricsBucket(WindowMeasures):
    start: datetime = strawberry.field(description="Included; an interval boundary in UTC.")
    end: datetime = strawberry.field(description="Excluded.")


@strawberry.type(
    description="Lifecycle KPIs over [from, to) in UTC. Rates are between 0 and 1 (retention "
    "may exceed 1); a rate or average with nothing to divide by is null. Archived records are "
    "left out."
)
class LifecycleMetrics(WindowMeasures):
    from_: datetime = strawberry.field(name="from")
    to: datetime
    interval: MetricsInterval
    subject: MetricsSubject

    @strawberry.field(description="Campaigns ACTIVE at some moment of the range, by name.")
    async def campaigns(self) -> list[CampaignMetrics]:
        return await self._report.campaigns()  # type: ignore[return-value]

    @strawberry.field
    async def customer_lifetime_value(self) -> ClvMetrics:
        return await self._report.lifetime_value()  # type: ignore[return-value]

    @strawberry.field(
        description="One bucket per interval, from the one holding `from` to the one holding "
        "the range's last instant; each bucket's measures cover the whole bucket."
    )
    def series(self) -> list[MetricsBucket]:
        # Window 0 is the range; the buckets follow it in the same report.
        return [
            MetricsBucket(start=bucket.start, end=bucket.end, _report=self._report, _index=index)
            for index, bucket in enumerate(self._report.windows[1:], start=1)
        ]


def _selects(selections: list[Any], name: str) -> bool:
    """Whether `name` is among the fields selected here, fragments included."""
    for selection in selections:
        if isinstance(selection, SelectedField):
            if selection.name == name:
                return True
        elif _selects(selection.selections, name):
            return True
    return False


@strawberry.type
class MetricsQuery:
    @strawberry.field(description="Lifecycle KPIs of your workspace over a range, and over time.")
    def lifecycle_metrics(
        self,
        info: Info,
        range: MetricsRange,
        interval: MetricsInterval = metrics.Interval.MONTH,
        subject: MetricsSubject = metrics.Subject.ACCOUNT,
        filter: LifecycleMetricsFilter | None = None,
    ) -> LifecycleMetrics:
        # The buckets are computed with the range, in the same statements, when asked for.
        with_series = _selects(info.selected_fields[0].selections, "series")
        report = metrics.report(
            info.context.sessions,
            principal=info.context.principal,
            start=range.from_,
            end=range.to,
            interval=interval,
            subject=subject,
            owner_id=filter.owner_id if filter else None,
            campaign_id=filter.campaign_id if filter else None,
            with_series=with_series,
        )
        return LifecycleMetrics(
            from_=report.span.start,
            to=report.span.end,
            interval=interval,
            subject=subject,
            _report=report,
            _index=0,
        )
