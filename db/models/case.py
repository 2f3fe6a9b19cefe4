from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, OwnedMixin, RecordMixin, enum_column
from db.enums import CaseOrigin, CasePriority, CaseStatus
from db.types import BigIntPK


class Case(RecordMixin, OwnedMixin, Base):
    """A support request from a customer."""

    # `case` is a reserved word in SQL.
    __tablename__ = "support_case"
    extra_table_args = (Index("ix_support_case_status", "workspace_id", "status"),)

    subject: Mapped[str] = mapped_column(String(255))
    description: Mapped[str | None] = mapped_column(Text)
    priority: Mapped[CasePriority] = mapped_column(
        enum_column(CasePriority), default=CasePriority.MEDIUM
    )
    origin: Mapped[CaseOrigin | None] = mapped_column(enum_column(CaseOrigin))
    status: Mapped[CaseStatus] = mapped_column(enum_column(CaseStatus), default=CaseStatus.NEW)
    account_id: Mapped[int | None] = mapped_column(BigIntPK, ForeignKey("account.id"), index=True)
    contact_id: Mapped[int | None] = mapped_column(BigIntPK, ForeignKey("contact.id"), index=True)
    first_responded_at: Mapped[datetime | None] = mapped_column()
    resolved_at: Mapped[datetime | None] = mapped_column()
    # From the workspace's SLA targets for the priority, counted from creation.
    first_response_due_at: Mapped[datetime | None] = mapped_column()
    resolution_due_at: Mapped[datetime | None] = mapped_column()
    # The customer's rating of how the case went, 1 (poor) to 5 (great), and when given.
    satisfaction_score: Mapped[int | None] = mapped_column(Integer)
    satisfaction_recorded_at: Mapped[datetime | None] = mapped_column()
