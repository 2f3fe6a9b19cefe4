"""Campaign KPIs: for each campaign active within the range, what it sourced and returned."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, func, or_, select, type_coerce
from sqlalchemy.ext.asyncio import AsyncSession

from db.enums import CampaignStatus, EntityType, OpportunityStage
from db.models import Campaign, Lead, Opportunity
from db.types import Money
from resolvers.metrics.amounts import CurrencyAmount, by_currency, ratio
from resolvers.metrics.sql import in_stage_at, stays
from resolvers.metrics.windows import Window


@dataclass(frozen=True, slots=True)
class CampaignMetrics:
    """Figures of one campaign's whole life up to the end of the range."""

    campaign: Campaign
    leads: int = 0
    converted_leads: int = 0
    opportunities: int = 0
    won_opportunities: int = 0
    won_amounts: dict[str, Decimal] = field(default_factory=dict)

    @property
    def lead_conversion_rate(self) -> float | None:
        return ratio(self.converted_leads, self.leads)

    @property
    def won_amount(self) -> list[CurrencyAmount]:
        return by_currency(self.won_amounts)

    @property
    def actual_cost(self) -> Decimal | None:
        return self.campaign.actual_cost

    @property
    def cost_per_lead(self) -> Decimal | None:
        if self.actual_cost is None or not self.leads:
            return None
        return (self.actual_cost / self.leads).quantize(Decimal("0.01"))

    @property
    def roi(self) -> float | None:
        """(won - cost) / cost, in the campaign's currency: deals in other currencies cannot
        be set against its cost."""
        if not self.actual_cost:
            return None
        won = self.won_amounts.get(self.campaign.currency, Decimal(0))
        return float((won - self.actual_cost) / self.actual_cost)


async def campaigns(
    session: AsyncSession,
    *,
    workspace_id: int,
    campaign_conditions: list[Any],
    span: Window,
) -> list[CampaignMetrics]:
    """Campaigns that were ACTIVE at some moment of the range, by name."""
    history = stays(
        workspace_id,
        EntityType.CAMPAIGN,
        select(Campaign.id).where(*campaign_conditions),
        "campaign_stays",
    )
    active = (
        select(history.c.record_id)
        .where(
            history.c.stage == CampaignStatus.ACTIVE.value,
            history.c.started < span.end,
            or_(history.c.ended.is_(None), history.c.ended > span.start),
        )
        .distinct()
    )
    listed = (
        await session.scalars(
            select(Campaign).where(Campaign.id.in_(active)).order_by(Campaign.name, Campaign.id)
        )
    ).all()
    if not listed:
        return []
    ids = [campaign.id for campaign in listed]
    leads = await session.execute(
        select(
            Lead.campaign_id,
            func.count(),
            func.count().filter(Lead.converted_at < span.end),
        )
        .where(
            Lead.workspace_id == workspace_id,
            Lead.archived_at.is_(None),
            Lead.campaign_id.in_(ids),
            Lead.created_at < span.end,
        )
        .group_by(Lead.campaign_id)
    )
    figures: dict[int, dict[str, Any]] = {id_: {"won_amounts": {}} for id_ in ids}
    by_campaign: list[Any] = list(leads.all())  # campaign_id is never null here
    for campaign_id, count, converted in by_campaign:
        figures[campaign_id].update(leads=count, converted_leads=converted)
    await _opportunities(session, workspace_id, ids, span, figures)
    return [CampaignMetrics(campaign, **figures[campaign.id]) for campaign in listed]


async def _opportunities(
    session: AsyncSession,
    workspace_id: int,
    ids: list[int],
    span: Window,
    figures: dict[int, dict[str, Any]],
) -> None:
    """Opportunities each campaign sourced by the end of the range, and those won then."""
    theirs = select(Opportunity.id).where(
        Opportunity.workspace_id == workspace_id,
        Opportunity.archived_at.is_(None),
        Opportunity.campaign_id.in_(ids),
        Opportunity.created_at < span.end,
    )
    history = stays(workspace_id, EntityType.OPPORTUNITY, theirs, "campaign_opportunity_stays")
    won = history.c.stage == OpportunityStage.CLOSED_WON.value
    rows = await session.execute(
        select(
            Opportunity.campaign_id,
            Opportunity.currency,
            func.count(),
            func.count().filter(won),
            type_coerce(func.sum(Opportunity.amount).filter(won), Money()),
        )
        .select_from(
            history.join(
                Opportunity,
                and_(Opportunity.id == history.c.record_id, in_stage_at(history, span.end)),
            )
        )
        .group_by(Opportunity.campaign_id, Opportunity.currency)
    )
    by_currency_rows: list[Any] = list(rows.all())  # campaign_id is never null here
    for campaign_id, currency, count, won_count, won_amount in by_currency_rows:
        campaign = figures[campaign_id]
        campaign["opportunities"] = campaign.get("opportunities", 0) + count
        campaign["won_opportunities"] = campaign.get("won_opportunities", 0) + won_count
        if won_amount is not None:
            campaign["won_amounts"][currency] = won_amount
