from __future__ import annotations

from decimal import Decimal

from sqlalchemy import Boolean, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from db.base import Base, OwnedMixin, RecordMixin
from db.types import Money


class Product(RecordMixin, OwnedMixin, Base):
    """Something sold, with a list price; opportunities sell it through line items."""

    __tablename__ = "product"
    extra_table_args = (UniqueConstraint("workspace_id", "sku"),)

    name: Mapped[str] = mapped_column(String(255))
    sku: Mapped[str] = mapped_column(String(64))
    description: Mapped[str | None] = mapped_column(Text)
    unit_price: Mapped[Decimal] = mapped_column(Money())
    currency: Mapped[str] = mapped_column(String(3))
    vendor: Mapped[str | None] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
