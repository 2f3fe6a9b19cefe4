from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, OwnedMixin, RecordMixin, enum_column
from db.enums import ActivityType
from db.types import BigIntPK


class Activity(RecordMixin, OwnedMixin, Base):
    """A call, email, meeting, note or task on the timeline of the records it links."""

    __tablename__ = "activity"

    type: Mapped[ActivityType] = mapped_column(enum_column(ActivityType))
    subject: Mapped[str] = mapped_column(String(255))
    body: Mapped[str | None] = mapped_column(Text)
    occurred_at: Mapped[datetime | None] = mapped_column()
    due_at: Mapped[datetime | None] = mapped_column()
    completed: Mapped[bool] = mapped_column(Boolean, default=False)
    account_id: Mapped[int | None] = mapped_column(BigIntPK, ForeignKey("account.id"), index=True)
    contact_id: Mapped[int | None] = mapped_column(BigIntPK, ForeignKey("contact.id"), index=True)
    lead_id: Mapped[int | None] = mapped_column(BigIntPK, ForeignKey("lead.id"), index=True)
    opportunity_id: Mapped[int | None] = mapped_column(
        BigIntPK, ForeignKey("opportunity.id"), index=True
    )
    case_id: Mapped[int | None] = mapped_column(BigIntPK, ForeignKey("support_case.id"), index=True)
