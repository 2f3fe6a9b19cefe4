from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, enum_column, utcnow
from db.enums import ApiKeyRole
from db.types import BigIntPK


class Workspace(Base):
    """A tenant: every record belongs to exactly one, and no key sees another's."""

    __tablename__ = "workspace"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    default_currency: Mapped[str] = mapped_column(String(3), default="USD")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ApiKey(Base):
    """A credential for partners and services. Only the SHA-256 of the secret is kept."""

    __tablename__ = "api_key"

    id: Mapped[int] = mapped_column(BigIntPK, primary_key=True, autoincrement=True)
    workspace_id: Mapped[int] = mapped_column(
        BigIntPK, ForeignKey("workspace.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str | None] = mapped_column(String(200))
    # The first characters of the key, shown in listings so a key can be recognised.
    prefix: Mapped[str] = mapped_column(String(16))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[ApiKeyRole] = mapped_column(enum_column(ApiKeyRole))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column()
