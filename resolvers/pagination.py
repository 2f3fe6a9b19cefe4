"""Relay pagination by keyset: the cursor carries the sort key and the id, never an offset.

`paginate` pages one list; `paginate_per_parent` pages the related lists of many parents
(every account's contacts, say) in one statement, with a window function per parent.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any, Generic, TypeVar

from sqlalchemy import BigInteger, Select, and_, false, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import InstrumentedAttribute, aliased

from resolvers.columns import Columns, only, with_needed
from resolvers.errors import BadRequestError
from resolvers.validation import InvalidValueError, operand_problem, to_utc

Row = TypeVar("Row")

DEFAULT_PAGE_SIZE = 20
MAX_CURSOR_LENGTH = 1024
MAX_PAGE_SIZE = 100


@dataclass(frozen=True, slots=True)
class PageArgs:
    first: int | None = None
    after: str | None = None
    last: int | None = None
    before: str | None = None

    def __post_init__(self) -> None:
        for name in ("first", "last"):
            size = getattr(self, name)
            if size is not None and not 0 <= size <= MAX_PAGE_SIZE:
                raise BadRequestError(
                    f"`{name}` must be between 0 and {MAX_PAGE_SIZE}; got {size}. "
                    "Page through larger lists with `after`."
                )
        if self.first is not None and self.last is not None:
            raise BadRequestError("Pass either `first` or `last`, not both.")

    @property
    def backward(self) -> bool:
        return self.last is not None or (self.before is not None and self.first is None)

    @property
    def size(self) -> int:
        size = self.last if self.backward else self.first
        return DEFAULT_PAGE_SIZE if size is None else size


@dataclass(slots=True)
class Page(Generic[Row]):
    rows: list[Row]
    cursors: list[str]
    has_next_page: bool
    has_previous_page: bool
    count: Callable[[], Awaitable[int]] = field(repr=False)


@dataclass(frozen=True, slots=True)
class SortKey:
    """One ORDER BY term. Nulls sort as the largest value on both databases: last going
    up, first going down (SQLite and PostgreSQL disagree by default)."""

    column: InstrumentedAttribute[Any]
    descending: bool = False

    @property
    def nullable(self) -> bool:
        return bool(getattr(self.column.expression, "nullable", True))

    def order_by(self, *, reverse: bool = False) -> Any:
        if self.descending != reverse:
            return self.column.desc().nulls_first()
        return self.column.asc().nulls_last()

    def follows(self, value: Any, *, reverse: bool = False) -> Any:
        """Rows whose value comes strictly after `value` in this key's order."""
        if self.descending != reverse:
            return self.column.is_not(None) if value is None else self.column < value
        if value is None:
            return false()
        if self.nullable:
            return or_(self.column > value, self.column.is_(None))
        return self.column > value

    def equals(self, value: Any) -> Any:
        return self.column.is_(None) if value is None else self.column == value


class Ordering:
    """An ORDER BY that always ends with the id, so that every row has a unique position."""

    def __init__(
        self, model: type[Any], keys: Sequence[SortKey] = (), *, id_descending: bool = False
    ) -> None:
        self.model = model
        self.keys: list[SortKey] = [*keys, SortKey(model.id, id_descending)]
        self.signature = ",".join(
            f"{key.column.key}:{'desc' if key.descending else 'asc'}" for key in self.keys
        )

    @property
    def columns(self) -> list[InstrumentedAttribute[Any]]:
        return [key.column for key in self.keys]

    def key_of(self, row: Any) -> list[Any]:
        return [getattr(row, key.column.key) for key in self.keys]

    def encode_cursor(self, row: Any) -> str:
        payload = {"o": self.signature, "k": [_jsonable(value) for value in self.key_of(row)]}
        return base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")

    def decode_cursor(self, cursor: str) -> list[Any]:
        if len(cursor) > MAX_CURSOR_LENGTH:
            raise BadRequestError("Invalid cursor: it is longer than any cursor we issue.")
        try:
            padded = cursor + "=" * (-len(cursor) % 4)
            payload = json.loads(base64.urlsafe_b64decode(padded))
            values = payload["k"]
            signature = payload["o"]
        except (binascii.Error, ValueError, KeyError, TypeError, RecursionError) as error:
            raise BadRequestError(f"Invalid cursor: {cursor!r}.") from error
        if not isinstance(values, list) or signature != self.signature:
            raise BadRequestError("This cursor belongs to a different ordering of the list.")
        if len(values) != len(self.keys):
            raise BadRequestError(f"Invalid cursor: {cursor!r}.")
        try:
            return [
                _from_json(key.column, value) for key, value in zip(self.keys, values, strict=True)
            ]
        except (TypeError, ValueError, ArithmeticError) as error:
            raise BadRequestError(f"Invalid cursor: {cursor!r}.") from error

    def order_by(self, *, reverse: bool = False) -> list[Any]:
        return [key.order_by(reverse=reverse) for key in self.keys]

    def after(self, values: list[Any], *, reverse: bool = False) -> Any:
        """Rows strictly after `values` in this order (before them when `reverse`)."""
        clauses = []
        for position, key in enumerate(self.keys):
            equal = [self.keys[i].equals(values[i]) for i in range(position)]
            clauses.append(and_(*equal, key.follows(values[position], reverse=reverse)))
        return or_(*clauses)


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | str):
        return value
    return value.isoformat() if isinstance(value, date | datetime) else str(value)


INT32 = 2**31
INT64 = 2**63


def _from_json(key: InstrumentedAttribute[Any], value: Any) -> Any:
    """A cursor's key value as the column holds it, or TypeError/ValueError if it cannot be."""
    if value is None:
        return None
    column_type = key.type
    # Column types of our own (UTC timestamps, exact decimals) wrap a standard one.
    python_type = getattr(column_type, "impl_instance", column_type).python_type
    if python_type is datetime:
        if not isinstance(value, str):
            raise TypeError(value)
        return _checked(to_utc, datetime.fromisoformat(value))
    if python_type is date:
        return date.fromisoformat(value)
    if python_type is Decimal:
        if not isinstance(value, str):
            raise TypeError(value)
        value = Decimal(value)
    elif isinstance(python_type, type) and issubclass(python_type, Enum):
        return python_type(value)
    elif not isinstance(value, python_type) or isinstance(value, bool) != (python_type is bool):
        raise TypeError(value)
    bound = INT64 if isinstance(column_type, BigInteger) else INT32
    if operand_problem(value, int_bound=bound):
        raise ValueError(value)
    return value


def _checked(convert: Any, value: Any) -> Any:
    try:
        return convert(value)
    except InvalidValueError as invalid:
        raise ValueError(invalid.message) from invalid


def _window_bounds(ordering: Ordering, args: PageArgs) -> list[Any]:
    conditions = []
    if args.after is not None:
        conditions.append(ordering.after(ordering.decode_cursor(args.after)))
    if args.before is not None:
        conditions.append(ordering.after(ordering.decode_cursor(args.before), reverse=True))
    return conditions


def build_page(
    ordering: Ordering, args: PageArgs, fetched: list[Row], count: Callable[[], Awaitable[int]]
) -> Page[Row]:
    more = len(fetched) > args.size
    rows = fetched[: args.size]
    if args.backward:
        rows.reverse()
        has_previous, has_next = more, args.before is not None
    else:
        has_next, has_previous = more, args.after is not None
    return Page(
        rows=rows,
        cursors=[ordering.encode_cursor(row) for row in rows],
        has_next_page=has_next,
        has_previous_page=has_previous,
        count=count,
    )


async def paginate(
    sessions: async_sessionmaker[AsyncSession],
    statement: Select[Any],
    ordering: Ordering,
    args: PageArgs,
    columns: Columns = None,
) -> Page[Row]:
    """One page of `statement` (of `columns` and the sort keys, which the cursors carry);
    `count` runs only when a client asks for totalCount."""
    loaded = with_needed(columns, *ordering.columns)
    page_query = (
        statement.where(*_window_bounds(ordering, args))
        .options(*only(ordering.model, loaded))
        .order_by(*ordering.order_by(reverse=args.backward))
        .limit(args.size + 1)
    )
    async with sessions() as session:
        fetched = list((await session.scalars(page_query)).all())

    async def count() -> int:
        async with sessions() as session:
            total = await session.scalar(select(func.count()).select_from(statement.subquery()))
        return int(total or 0)

    return build_page(ordering, args, fetched, count)


async def paginate_per_parent(
    session: AsyncSession,
    statement: Select[Any],
    ordering: Ordering,
    parent_column: InstrumentedAttribute[Any],
    parent_ids: Sequence[int],
    args: PageArgs,
    columns: Columns = None,
) -> dict[int, list[Row]]:
    """The first rows of each parent's list in one statement (row_number per parent), of
    `columns`, the sort keys and the parent key."""
    model = ordering.model
    loaded = with_needed(columns, *ordering.columns, parent_column)
    if loaded is not None:
        statement = statement.with_only_columns(*(getattr(model, key) for key in sorted(loaded)))
    position = (
        func.row_number()
        .over(partition_by=parent_column, order_by=ordering.order_by(reverse=args.backward))
        .label("position")
    )
    ranked = (
        statement.where(parent_column.in_(parent_ids), *_window_bounds(ordering, args))
        .add_columns(position)
        .subquery()
    )
    row = aliased(model, ranked)
    query = (
        select(row)
        .options(*only(row, loaded))
        .where(ranked.c.position <= args.size + 1)
        .order_by(ranked.c[parent_column.key], ranked.c.position)
    )
    grouped: dict[int, list[Row]] = {parent_id: [] for parent_id in parent_ids}
    for record in (await session.scalars(query)).all():
        grouped[getattr(record, parent_column.key)].append(record)
    return grouped
