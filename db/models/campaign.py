from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import Date, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, OwnedMixin, RecordMixin, enum_column
from db.enums import CampaignStatus, CampaignType
from db.types import Money


class Campaign(RecordMixin, OwnedMixin, Base):
    """A marketing effort that sources leads and opportunities."""

    __tablename__ = "campaign"
    extra_table_args = (Index("ix_campaign_status", "workspace_id", "status"),)

    name: Mapped[str] = mapped_column(String(255))
    type: Mapped[CampaignType] = mapped_column(enum_column(CampaignType))
    status: Mapped[CampaignStatus] = mapped_column(
        enum_column(CampaignStatus), default=CampaignStatus.PLANNED
    )
    budget: Mapped[Decimal | None] = mapped_column(Money())
    actual_cost: Mapped[Decimal | None] = mapped_column(Money())
    currency: Mapped[str] = mapped_column(String(3))
    start_date: Mapped[date | None] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
