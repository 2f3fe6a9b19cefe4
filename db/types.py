"""Column types that behave the same on PostgreSQL and SQLite."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, DateTime, Integer, Numeric
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

# SQLite only auto-increments a column declared exactly INTEGER PRIMARY KEY.
BigIntPK = BigInteger().with_variant(Integer(), "sqlite")


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware timestamp, stored in UTC.

    PostgreSQL keeps `timestamptz`; SQLite keeps naive text, so values are normalised to
    UTC on the way in and marked UTC on the way out. Either way callers only ever see
    aware datetimes.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are ambiguous; pass an aware datetime")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Money(TypeDecorator[Decimal]):
    """A monetary amount with two decimal places, always a Decimal, never a float.

    SQLite has no decimal type; SQLAlchemy then stores the value as a REAL and rounds it
    back to the declared scale on read, which is exact for any amount under 10**13.
    """

    impl = Numeric(18, 2, asdecimal=True)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> Any:
        if dialect.name == "sqlite":
            # Silences SQLAlchemy's "Decimal not supported natively" warning: the scale
            # is applied on read, which is what we rely on.
            return dialect.type_descriptor(_SQLiteNumeric(18, 2, asdecimal=True))
        return dialect.type_descriptor(Numeric(18, 2, asdecimal=True))


class _SQLiteNumeric(Numeric[Decimal]):
    """SQLite's NUMERIC affinity turns the bound text into a number; we read it back at scale 2."""

    def bind_processor(self, dialect: Dialect) -> Any:
        def process(value: Decimal | None) -> str | None:
            return None if value is None else str(value)

        return process

    def result_processor(self, dialect: Dialect, coltype: object) -> Any:
        def process(value: float | str | None) -> Decimal | None:
            if value is None:
                return None
            return Decimal(f"{float(value):.2f}")

        return process
