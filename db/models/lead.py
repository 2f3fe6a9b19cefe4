from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, OwnedMixin, RecordMixin, enum_column
from db.enums import LeadStatus
from db.types import BigIntPK


class Lead(RecordMixin, OwnedMixin, Base):
    """A prospect not yet qualified into an account and a contact."""

    __tablename__ = "lead"
    extra_table_args = (Index("ix_lead_status", "workspace_id", "status"),)

    first_name: Mapped[str | None] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    company: Mapped[str | None] = mapped_column(String(255))
    title: Mapped[str | None] = mapped_column(String(150))
    email: Mapped[str | None] = mapped_column(String(320), index=True)
    phone: Mapped[str | None] = mapped_column(String(40))
    campaign_id: Mapped[int | None] = mapped_column(BigIntPK, ForeignKey("campaign.id"), index=True)
    referred_by_id: Mapped[int | None] = mapped_column(
        BigIntPK, ForeignKey("contact.id"), index=True
    )
    status: Mapped[LeadStatus] = mapped_column(enum_column(LeadStatus), default=LeadStatus.OPEN)
    # Set once, by lead conversion: what the lead became.
    converted_at: Mapped[datetime | None] = mapped_column()
    converted_account_id: Mapped[int | None] = mapped_column(BigIntPK, ForeignKey("account.id"))
    converted_contact_id: Mapped[int | None] = mapped_column(BigIntPK, ForeignKey("contact.id"))
    converted_opportunity_id: Mapped[int | None] = mapped_column(
        BigIntPK, ForeignKey("opportunity.id")
    )
