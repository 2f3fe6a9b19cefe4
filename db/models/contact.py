from __future__ import annotations

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, OwnedMixin, RecordMixin, enum_column
from db.enums import LifecycleStage
from db.types import BigIntPK


class Contact(RecordMixin, OwnedMixin, Base):
    """A person, usually at an account."""

    __tablename__ = "contact"
    extra_table_args = (Index("ix_contact_stage", "workspace_id", "lifecycle_stage"),)

    first_name: Mapped[str | None] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    email: Mapped[str | None] = mapped_column(String(320), index=True)
    phone: Mapped[str | None] = mapped_column(String(40))
    job_title: Mapped[str | None] = mapped_column(String(150))
    account_id: Mapped[int | None] = mapped_column(BigIntPK, ForeignKey("account.id"), index=True)
    lifecycle_stage: Mapped[LifecycleStage] = mapped_column(
        enum_column(LifecycleStage), default=LifecycleStage.REACH
    )
