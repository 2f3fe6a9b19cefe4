from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Date, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, OwnedMixin, RecordMixin, enum_column
from db.enums import ForecastCategory, OpportunityStage
from db.types import BigIntPK, ExactDecimal, Money


class Opportunity(RecordMixin, OwnedMixin, Base):
    """A potential deal with an account, moving through the sales pipeline."""

    __tablename__ = "opportunity"
    extra_table_args = (Index("ix_opportunity_stage", "workspace_id", "stage"),)

    name: Mapped[str] = mapped_column(String(255))
    account_id: Mapped[int | None] = mapped_column(BigIntPK, ForeignKey("account.id"), index=True)
    primary_contact_id: Mapped[int | None] = mapped_column(
        BigIntPK, ForeignKey("contact.id"), index=True
    )
    campaign_id: Mapped[int | None] = mapped_column(BigIntPK, ForeignKey("campaign.id"), index=True)
    amount: Mapped[Decimal | None] = mapped_column(Money())
    currency: Mapped[str] = mapped_column(String(3))
    expected_close_date: Mapped[date | None] = mapped_column(Date)
    stage: Mapped[OpportunityStage] = mapped_column(
        enum_column(OpportunityStage), default=OpportunityStage.PROSPECTING
    )
    probability: Mapped[int] = mapped_column(Integer, default=10)
    forecast_category: Mapped[ForecastCategory] = mapped_column(
        enum_column(ForecastCategory), default=ForecastCategory.PIPELINE
    )
    closed_at: Mapped[datetime | None] = mapped_column()
    lost_reason: Mapped[str | None] = mapped_column(String(500))


class OpportunityLineItem(RecordMixin, Base):
    """One product on an opportunity; its total feeds the opportunity's amount."""

    __tablename__ = "opportunity_line_item"

    opportunity_id: Mapped[int] = mapped_column(
        BigIntPK, ForeignKey("opportunity.id", ondelete="CASCADE"), index=True
    )
    product_id: Mapped[int] = mapped_column(BigIntPK, ForeignKey("product.id"), index=True)
    quantity: Mapped[Decimal] = mapped_column(ExactDecimal(12, 2))
    unit_price: Mapped[Decimal] = mapped_column(Money())
    # Percent off the list total, 0 to 100.
    discount: Mapped[Decimal] = mapped_column(ExactDecimal(5, 2), default=Decimal(0))
    total: Mapped[Decimal] = mapped_column(Money())
