"""Advocacy: customers in ADVOCACY, and the leads they refer."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from db.models import Lead
from resolvers.metrics.amounts import ratio
from resolvers.metrics.sql import within
from resolvers.metrics.windows import Window


@dataclass(frozen=True, slots=True)
class AdvocacyMetrics:
    advocates: int = 0
    referred_leads: int = 0
    referred_leads_converted: int = 0

    @property
    def referral_conversion_rate(self) -> float | None:
        return ratio(self.referred_leads_converted, self.referred_leads)


async def referrals(
    session: AsyncSession,
    *,
    lead_conditions: Sequence[Any],
    windows: Any,
    window_list: Sequence[Window],
) -> list[tuple[int, int]]:
    """Per window: leads created in it with a referring contact, and how many of those
    were converted before its end."""
    rows = await session.execute(
        select(
            windows.c.w,
            func.count(),
            func.count().filter(Lead.converted_at < windows.c.w_end),
        )
        .select_from(Lead)
        .join(windows, within(Lead.created_at, windows))
        .where(*lead_conditions, Lead.referred_by_id.is_not(None))
        .group_by(windows.c.w)
    )
    counts = {w: (referred, converted) for w, referred, converted in rows.all()}
    return [counts.get(w, (0, 0)) for w in range(len(window_list))]
