"""Bulk writes for the seeder: ids reserved up front, rows written in large batches.

Ids are reserved before the rows are built so that children can point at their parents
without reading anything back. PostgreSQL then takes the rows with COPY (binary, through
asyncpg): an order of magnitude faster than INSERT. SQLite takes one executemany per batch,
through SQLAlchemy, whose column types store exact decimals as scaled integers there.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Table, func, insert, select, text
from sqlalchemy.ext.asyncio import AsyncConnection

BATCH_ROWS = 5_000

Row = dict[str, Any]
# Told (table name, rows just written, rows of that table in all) after every batch.
Progress = Callable[[str, int, int], None]


async def reserve_ids(connection: AsyncConnection, table: Table, count: int) -> list[int]:
    """`count` new ids for `table`, ascending, that no concurrent writer can take."""
    if count == 0:
        return []
    if connection.dialect.name == "postgresql":
        rows = await connection.execute(
            text("SELECT nextval(pg_get_serial_sequence(:t, 'id')) FROM generate_series(1, :n)"),
            {"t": table.name, "n": count},
        )
        return sorted(row[0] for row in rows)
    # SQLite gives an INTEGER PRIMARY KEY max(id) + 1; the seed's transaction holds the only
    # write lock once it has written, and a clash would fail the seed, never corrupt it.
    last = await connection.scalar(select(func.coalesce(func.max(table.c.id), 0)))
    return list(range(int(last or 0) + 1, int(last or 0) + 1 + count))


def complete(table: Table, rows: Sequence[Row]) -> list[str]:
    """Fill every column the rows leave out with the model's default; the column names.

    COPY bypasses SQLAlchemy, so model defaults (a stage, a version) are applied here, and
    columns added to a model later keep working without a change to the seeder.
    """
    columns = [column.name for column in table.columns]
    defaults: dict[str, Any] = {}
    for column in table.columns:
        default = column.default
        if default is None or not rows or column.name in rows[0]:
            continue
        if default.is_scalar:
            defaults[column.name] = default.arg  # type: ignore[attr-defined]
        elif default.is_callable:
            defaults[column.name] = default.arg(None)  # type: ignore[attr-defined]
    for row in rows:
        for name, value in defaults.items():
            row.setdefault(name, value)
    present = set(rows[0]) if rows else set()
    return [name for name in columns if name in present]


def _plain(value: Any) -> Any:
    return value.value if isinstance(value, enum.Enum) else value


async def write(
    connection: AsyncConnection, table: Table, rows: Sequence[Row], progress: Progress | None
) -> None:
    """Insert `rows` (all with the same keys, ids included) in batches.

    Keys that are not columns of `table` are left out: builders keep notes on their rows
    for the builders after them.
    """
    columns = complete(table, rows)
    copy = connection.dialect.name == "postgresql"
    driver: Any = None
    if copy:
        raw = await connection.get_raw_connection()
        driver = raw.driver_connection
    for start in range(0, len(rows), BATCH_ROWS):
        batch = rows[start : start + BATCH_ROWS]
        if copy:
            records = [tuple(_plain(row[name]) for name in columns) for row in batch]
            await driver.copy_records_to_table(table.name, records=records, columns=columns)
        else:
            await connection.execute(
                insert(table), [{name: row[name] for name in columns} for row in batch]
            )
        if progress is not None:
            progress(table.name, len(batch), len(rows))
