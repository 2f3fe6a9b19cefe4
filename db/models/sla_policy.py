from __future__ import annotations

from sqlalchemy import ForeignKey, Integer, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, RecordMixin, enum_column
from db.enums import CasePriority
from db.types import BigIntPK


class SlaPolicy(RecordMixin, Base):
    """A workspace's service targets for cases of one priority (defaults apply without one)."""

    __tablename__ = "sla_policy"
    extra_table_args = (UniqueConstraint("workspace_id", "priority"),)

    priority: Mapped[CasePriority] = mapped_column(enum_column(CasePriority))
    first_response_minutes: Mapped[int] = mapped_column(Integer)
    resolution_minutes: Mapped[int] = mapped_column(Integer)
    updated_by_api_key_id: Mapped[int | None] = mapped_column(BigIntPK, ForeignKey("api_key.id"))
