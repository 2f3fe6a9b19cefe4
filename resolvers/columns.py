"""Reads load only the columns that a GraphQL selection needs.

A selection becomes a set of mapped attribute names (`Queryable.columns`); the reads here
turn it into `load_only`. Any column left out raises when touched (`raiseload`), so a
field resolved from a column that was not loaded fails loudly instead of issuing a
hidden query (on a closed read session it could not run anyway).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import InstrumentedAttribute, load_only
from sqlalchemy.sql.base import ExecutableOption

# Attribute names of the columns to load; None loads every column (writes, and the types
# that have no catalog entry).
Columns = frozenset[str] | None


def with_needed(columns: Columns, *needed: InstrumentedAttribute[Any]) -> Columns:
    """`columns` plus those a read needs whatever the selection (sort keys, join keys)."""
    if columns is None:
        return None
    return columns | {column.key for column in needed}


def only(entity: Any, columns: Columns) -> tuple[ExecutableOption, ...]:
    """Options loading just `columns` of `entity` (a model or an alias of one)."""
    if columns is None:
        return ()
    return (load_only(*(getattr(entity, key) for key in sorted(columns)), raiseload=True),)
