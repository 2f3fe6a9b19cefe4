from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, enum_column, utcnow
from db.enums import EntityType, StageChangeCause
from db.types import BigIntPK


class StageChange(Base):
    """One move of a record's stage or status: the single, append-only lifecycle history.

    Creating a record writes one too (from null to its initial stage), so every stay in a
    stage has a recorded start. Rows are only ever inserted.
    """

    __tablename__ = "stage_change"
    __table_args__ = (
        # Covering: metrics rebuild each record's stays from this index alone.
        Index(
            "ix_stage_change_record",
            "workspace_id",
            "entity_type",
            "record_id",
            "id",
            postgresql_include=["from_stage", "to_stage", "occurred_at"],
        ),
        # The moves into (or out of) given stages within a time range: deals closed, cases
        # resolved, accounts churned, without reading every change of the entity type. The
        # stage comes first so that they never pass for a way to read one record's history.
        Index(
            "ix_stage_change_into",
            "to_stage",
            "workspace_id",
            "entity_type",
            "occurred_at",
            postgresql_include=["record_id", "id", "from_stage"],
        ),
        Index(
            "ix_stage_change_out_of",
            "from_stage",
            "workspace_id",
            "entity_type",
            "occurred_at",
            postgresql_include=["record_id", "id", "to_stage"],
        ),
        Index("ix_stage_change_account", "workspace_id", "account_id", "id"),
        Index("ix_stage_change_occurred", "workspace_id", "occurred_at", "id"),
    )

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    workspace_id: Mapped[int] = mapped_column(
        BigIntPK, ForeignKey("workspace.id", ondelete="CASCADE")
    )
    entity_type: Mapped[EntityType] = mapped_column(enum_column(EntityType))
    record_id: Mapped[int] = mapped_column(BigIntPK)
    # The account the record belongs to (itself for an account), for per-account history.
    account_id: Mapped[int | None] = mapped_column(BigIntPK)
    from_stage: Mapped[str | None] = mapped_column(String(32))
    to_stage: Mapped[str] = mapped_column(String(32))
    occurred_at: Mapped[datetime] = mapped_column()
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_api_key_id: Mapped[int | None] = mapped_column(BigIntPK, ForeignKey("api_key.id"))
    actor_user_id: Mapped[int | None] = mapped_column(BigIntPK, ForeignKey("crm_user.id"))
    reason: Mapped[str | None] = mapped_column(String(1000))
    cause: Mapped[StageChangeCause] = mapped_column(enum_column(StageChangeCause))
