"""Declarative base, naming convention and the columns every CRM record shares."""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Enum, ForeignKey, Index, Integer, MetaData
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column

from db.types import BigIntPK, UTCDateTime

# Constraint names are stable across databases, so Alembic can address them.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


def enum_column(enum_type: type[enum.Enum]) -> Enum:
    """A VARCHAR enum column storing the member names, identical on every database."""
    return Enum(
        enum_type,
        native_enum=False,
        length=32,
        validate_strings=True,
        create_constraint=False,
        values_callable=lambda members: [member.value for member in members],
    )


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: dict[Any, Any] = {datetime: UTCDateTime()}


class RecordMixin:
    """Identity, workspace, optimistic-locking version and audit timestamps of a record."""

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    created_at: Mapped[datetime] = mapped_column(nullable=False, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(nullable=False, default=utcnow, onupdate=utcnow)
    archived_at: Mapped[datetime | None] = mapped_column(nullable=True)

    @declared_attr
    def workspace_id(cls) -> Mapped[int]:  # noqa: N805
        return mapped_column(
            BigIntPK, ForeignKey("workspace.id", ondelete="CASCADE"), nullable=False
        )

    @declared_attr.directive
    def __table_args__(cls) -> tuple[Any, ...]:  # noqa: N805
        # Every list is one workspace's records in id order (the default) or by creation.
        table = cls.__tablename__  # type: ignore[attr-defined]
        return (
            Index(f"ix_{table}_workspace_list", "workspace_id", "id"),
            Index(f"ix_{table}_workspace_created", "workspace_id", "created_at", "id"),
            *getattr(cls, "extra_table_args", ()),
        )

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:  # noqa: N805
        # UPDATE ... WHERE version = :seen: two writers racing on one row cannot both win.
        return {"version_id_col": cls.version}


class OwnedMixin:
    @declared_attr
    def owner_id(cls) -> Mapped[int | None]:  # noqa: N805
        return mapped_column(BigIntPK, ForeignKey("crm_user.id"), nullable=True, index=True)
