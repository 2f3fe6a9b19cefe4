"""SQL building blocks shared by the metrics: windows, stays in a stage, durations, percentiles.

Every measure is computed by the database for all windows of a report in one statement:
the windows are a small inline table joined to the rows they count. The same SQL runs on
PostgreSQL and SQLite; where the two differ (time arithmetic), a construct compiles per
dialect.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    CTE,
    ColumnElement,
    CompoundSelect,
    Float,
    Integer,
    Select,
    String,
    and_,
    case,
    cast,
    func,
    inspect,
    literal,
    null,
    or_,
    select,
    type_coerce,
    union_all,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from db.base import utcnow
from db.enums import EntityType
from db.models import StageChange
from db.types import UTCDateTime
from resolvers.lifecycle import FUNNEL, LIFECYCLES
from resolvers.metrics.windows import Window


class seconds_between(FunctionElement[float]):  # noqa: N801  (reads as an SQL function)
    """`later - earlier` in seconds, as a float."""

    type = Float()
    name = "seconds_between"
    inherit_cache = True


@compiles(seconds_between, "postgresql")
def _seconds_between_postgresql(element: seconds_between, compiler: SQLCompiler, **kw: Any) -> str:
    later, earlier = list(element.clauses)
    return (
        f"CAST(EXTRACT(EPOCH FROM ({compiler.process(later, **kw)} - "
        f"{compiler.process(earlier, **kw)})) AS DOUBLE PRECISION)"
    )


@compiles(seconds_between, "sqlite")
def _seconds_between_sqlite(element: seconds_between, compiler: SQLCompiler, **kw: Any) -> str:
    later, earlier = list(element.clauses)
    # Timestamps are stored as UTC text; julianday() reads them to about 0.1 ms.
    return (
        f"((julianday({compiler.process(later, **kw)}) - "
        f"julianday({compiler.process(earlier, **kw)})) * 86400.0)"
    )


def no_value() -> ColumnElement[Any]:
    """A NULL standing for a measure a stacked statement's part does not carry, typed:
    PostgreSQL reads an untyped NULL in a UNION as text, which no number matches."""
    return cast(null(), Float())


def seconds(value: Any) -> float | None:
    """A duration read back from SQL, to the millisecond (SQLite's time arithmetic is float)."""
    return None if value is None else round(float(value), 3)


def windows_table(windows: Sequence[Window]) -> CTE:
    """`windows(w, w_start, w_end)`: one row per window, numbered from 0."""
    rows = [
        select(
            literal(index, Integer).label("w"),
            literal(window.start, UTCDateTime()).label("w_start"),
            literal(window.end, UTCDateTime()).label("w_end"),
        )
        for index, window in enumerate(windows)
    ]
    return (union_all(*rows) if len(rows) > 1 else rows[0]).cte("windows")


def within(moment: Any, windows: Any) -> ColumnElement[bool]:
    """`moment` falls in the window: w_start <= moment < w_end."""
    return and_(moment >= windows.c.w_start, moment < windows.c.w_end)


def rank_of(stage: Any) -> ColumnElement[Any]:
    """The position of a customer stage in the funnel (null for CHURNED)."""
    return case({stage.value: rank for rank, stage in enumerate(FUNNEL)}, value=stage)


def stays(
    workspace_id: int,
    entity: EntityType,
    records: Select[Any],
    name: str,
    *,
    only: Sequence[str] = (),
    since: datetime | None = None,
    record_columns: Sequence[Any] = (),
) -> CTE:
    """Each record's stays in a stage, from its history: `stage`, `started`, `ended` (null
    while it is still there), `change_id` (the change that began the stay), and for
    customer stages the funnel `rank` (null for CHURNED).

    With `only`, just the stays in those stages are right (and far fewer rows are read):
    the change that ends a stay in stage S is the record's next one, whose `from_stage` is
    S. Those changes are read in two parts, the moves into the stages and the other moves
    out of them, so that each part is a range of one index on stage and time.

    With `since`, just the stays that began at or after it are right: only the changes
    from then on are read (a stay's end is never dated before its start).

    `record_columns` (of the records' own table) come along on every stay, joined here where
    the database sees how many rows there are, rather than to the stays afterwards.
    """
    columns = [
        StageChange.record_id,
        StageChange.id,
        StageChange.from_stage,
        StageChange.to_stage,
        StageChange.occurred_at,
    ]
    mine = [StageChange.workspace_id == workspace_id, StageChange.entity_type == entity]
    if since is not None:
        mine.append(StageChange.occurred_at >= since)
    history: Any = _touching(entity, only, mine, columns) if only else StageChange.__table__
    # A record's history in the order it happened (the lifecycle engine never dates a
    # change before the record's latest one), which is also the order of the index.
    per_record: dict[str, Any] = {"partition_by": history.c.record_id, "order_by": history.c.id}
    query = select(
        history.c.record_id,
        history.c.id.label("change_id"),
        history.c.from_stage,
        history.c.to_stage.label("stage"),
        history.c.occurred_at.label("started"),
        func.lead(history.c.occurred_at).over(**per_record).label("ended"),
    )
    if not only:
        query = query.where(*mine)
    if record_columns:
        # Joined once, to the records' own table, with their conditions: not also as `IN
        # (records)`, which would read the table a second time.
        table = record_columns[0].table
        if _records_table(records) is not table:  # pragma: no cover
            raise ValueError("record_columns must be of the records' table")
        query = query.add_columns(*record_columns).join(table, table.c.id == history.c.record_id)
        if records.whereclause is not None:
            query = query.where(records.whereclause)
    else:
        query = query.where(history.c.record_id.in_(records))
    if entity in (EntityType.ACCOUNT, EntityType.CONTACT):
        query = query.add_columns(rank_of(history.c.to_stage).label("rank"))
    return materialized(query, name)


def _touching(
    entity: EntityType, stages: Sequence[str], conditions: Sequence[Any], columns: Sequence[Any]
) -> Any:
    """`columns` of the changes meeting `conditions` that enter or leave one of `stages`:
    the moves into them and the other moves out of them, each part a range of one index on
    stage and time, read without the table."""
    return union_all(
        select(*columns).where(*conditions, StageChange.to_stage.in_(stages)),
        select(*columns).where(
            *conditions,
            StageChange.from_stage.in_(stages),
            StageChange.to_stage.in_(others(entity, stages)),
        ),
    ).subquery("moves")


def moves_into(
    workspace_id: int,
    entity: EntityType,
    stages: Sequence[str],
    *,
    since: datetime,
    leaving: Sequence[str] = (),
) -> CTE:
    """`(record_id, id, occurred_at)`: the moves into `stages` (from one of `leaving`, when
    given) from `since` on, a range of the index on the stages moves enter or leave,
    whichever holds fewer. Materialized, so that a lookup of a record's move among them
    is a join the database makes once: inlined, its estimates may make it probe the
    history once per row instead, which on a large workspace costs far more."""
    query = select(StageChange.record_id, StageChange.id, StageChange.occurred_at).where(
        StageChange.workspace_id == workspace_id,
        StageChange.entity_type == entity,
        StageChange.to_stage.in_(stages),
        StageChange.occurred_at >= since,
    )
    if leaving:
        query = query.where(StageChange.from_stage.in_(leaving))
    name = "_".join(["moves_into", *stages, *(["from", *leaving] if leaving else [])])
    return materialized(query, name.lower())


def materialized(query: Select[*tuple[Any, ...]], name: str) -> CTE:
    """A CTE the database computes once. Left to inline it, PostgreSQL misjudges how many
    rows a windowed history yields and may rerun it per row of a nested loop."""
    return query.cte(name).prefix_with("MATERIALIZED")


def ends_reached(moment: Any, ends: Sequence[datetime]) -> ColumnElement[int]:
    """How many of the sorted `ends` are at or before `moment`, by binary search.

    A change at `moment` is part of the state at `ends[j]` exactly when j is at least this
    count, so one number per change replaces a join of every change to every window.
    """

    def search(low: int, high: int) -> ColumnElement[int]:
        if low == high:
            return literal(low, Integer)
        middle = (low + high) // 2
        return case(
            (moment < literal(ends[middle], UTCDateTime()), search(low, middle)),
            else_=search(middle + 1, high),
        )

    return search(0, len(ends))


def in_windows(rows: Select[*tuple[Any, ...]], moment: Any, window_list: Sequence[Window]) -> Any:
    """`rows` once for each window that holds `moment`, with that window's `w` and `w_end`.

    A report's windows are the range (window 0), then its buckets back to back: a moment
    falls in the range or not, and in one bucket at most, found by binary search over the
    buckets' bounds. So each row is paired with its windows directly, rather than compared
    with every window (a nested loop that read the rows once per window).
    """
    span, buckets = window_list[0], list(window_list[1:])
    parts = [
        rows.add_columns(literal(0, Integer).label("w")).where(
            moment >= literal(span.start, UTCDateTime()), moment < literal(span.end, UTCDateTime())
        )
    ]
    if buckets:
        if any(a.end != b.start for a, b in itertools.pairwise(buckets)):  # pragma: no cover
            raise ValueError("buckets must be back to back")
        bucket = ends_reached(moment, [window.start for window in buckets[1:]]) + 1
        parts.append(
            rows.add_columns(bucket.label("w")).where(
                moment >= literal(buckets[0].start, UTCDateTime()),
                moment < literal(buckets[-1].end, UTCDateTime()),
            )
        )
    paired = (union_all(*parts) if len(parts) > 1 else parts[0]).subquery("paired")
    # The window's end by its number, written out: a join to the windows would sort every row.
    ends = {index: literal(window.end, UTCDateTime()) for index, window in enumerate(window_list)}
    return select(paired, case(ends, value=paired.c.w).label("w_end")).subquery("in_windows")


def held_at_ends(
    workspace_id: int,
    entity: EntityType,
    records: Select[Any],
    ends: Sequence[datetime],
    *,
    stages: Sequence[str] | None = None,
    amount: Any = None,
    weights: Callable[[Any], Sequence[Any]] = lambda _stage: (),
    keys: Sequence[Any] = (),
    rewind: bool = False,
) -> Select[Any]:
    """`(p, *keys, [stage], held, priced, value0, ...)`: at each of the sorted `ends`
    (numbered `p`), how many `records` were in one of `stages` (or in each stage, when
    `stages` is None), how many of those have an `amount` (not null), and per weight the
    sum of `amount` x `weights(stage)[i]` over them (a missing amount adds nothing; with
    `priced` at 0 a caller can tell "no amounts" from "amounts adding up to 0").

    Straight from the history, without rebuilding stays: a record is in stage S at `end`
    when its last change before `end` went to S, so the count is its changes into S before
    `end` minus its changes out of S (each change says where it came from). The changes are
    first counted per end after them and per move (from, to), which leaves a few hundred
    rows; what each move adds or takes away is worked out on those, then added up end by end.
    `records` is `select(Model.id).where(...)`; the history is joined to that table, so
    `keys` and `amount` may be its columns.

    With `rewind`, the state is taken from the records as they are now, less the changes
    since each end: the same numbers from the changes after the first end rather than the
    changes before the last one (see `cheaper_to_rewind`).
    """
    table = _records_table(records)
    mine = [StageChange.workspace_id == workspace_id, StageChange.entity_type == entity]
    # Rewound from now, the state at the first end needs the changes since it; counted
    # forward, the changes before the last end.
    mine.append(
        StageChange.occurred_at >= literal(ends[0], UTCDateTime())
        if rewind
        else StageChange.occurred_at < literal(ends[-1], UTCDateTime())
    )
    columns = [
        StageChange.record_id,
        StageChange.to_stage,
        StageChange.from_stage,
        StageChange.occurred_at,
    ]
    history: Any = StageChange.__table__
    if stages is not None:
        history = _touching(entity, stages, mine, columns)
    query = select(
        ends_reached(history.c.occurred_at, ends).label("reached"),
        *keys,
        history.c.to_stage,
        history.c.from_stage,
        (amount if amount is not None else literal(0, Integer)).label("amount"),
    ).join(table, table.c.id == history.c.record_id)
    if stages is None:
        query = query.where(*mine)
    if records.whereclause is not None:
        query = query.where(records.whereclause)
    changes = query.subquery("changes")
    # Grouped outside, by the subquery's columns: the same expression written twice would
    # carry two sets of bound parameters, which PostgreSQL cannot tell are equal.
    per_move = [changes.c[column.key] for column in keys]
    per_move += [changes.c.to_stage, changes.c.from_stage]
    query = select(
        changes.c.reached,
        *per_move,
        func.count().label("n"),
        func.count(changes.c.amount).label("priced"),
        func.coalesce(func.sum(changes.c.amount), 0).label("total"),
    ).group_by(changes.c.reached, *per_move)
    # A CTE: read twice per stage below, it is computed once.
    moves = (
        _rewound(query.cte("moves_since"), table, records, stages, amount, keys)
        if rewind
        else query
    ).cte("held_moves")
    grouping = [moves.c[column.key] for column in keys]

    if stages is None:
        # A move counts +1 in the stage it enters and -1 in the one it leaves.
        def side(stage: Any, sign: int) -> Select[Any]:
            return select(
                moves.c.reached,
                *grouping,
                stage.label("stage"),
                (sign * moves.c.n).label("held"),
                (sign * moves.c.priced).label("priced"),
                *(
                    (sign * moves.c.total * weight).label(f"value{index}")
                    for index, weight in enumerate(weights(stage))
                ),
            ).where(stage.is_not(None))

        signed = union_all(side(moves.c.to_stage, 1), side(moves.c.from_stage, -1)).subquery()
    else:
        # Into one of the stages +1, out of one -1.
        into = case((moves.c.to_stage.in_(stages), 1), else_=0)
        out_of = case((moves.c.from_stage.in_(stages), 1), else_=0)
        signed = select(
            moves.c.reached,
            *grouping,
            (moves.c.n * (into - out_of)).label("held"),
            (moves.c.priced * (into - out_of)).label("priced"),
            *(
                (moves.c.total * (into * entered - out_of * left)).label(f"value{index}")
                for index, (entered, left) in enumerate(
                    zip(weights(moves.c.to_stage), weights(moves.c.from_stage), strict=True)
                )
            ),
        ).subquery()
    sums = ["held", "priced"]
    sums += [column.name for column in signed.c if column.name.startswith("value")]
    group = [column for column in signed.c if column.name not in {"reached", *sums}]
    per_end = (
        select(
            signed.c.reached,
            *group,
            *(func.sum(signed.c[name]).label(name) for name in sums),
        )
        .group_by(signed.c.reached, *group)
        .subquery("per_end")
    )
    points = _numbers(len(ends))
    running = [per_end.c[column.name] for column in group]
    return (
        select(
            points.c.p,
            *running,
            *(func.sum(per_end.c[name]).label(name) for name in sums),
        )
        .select_from(per_end.join(points, per_end.c.reached <= points.c.p))
        .group_by(points.c.p, *running)
    )


async def history_start(session: AsyncSession, workspace_id: int) -> datetime | None:
    """When the workspace's first recorded change happened (one probe of the time index)."""
    earliest = select(func.min(StageChange.occurred_at)).where(
        StageChange.workspace_id == workspace_id
    )
    start: datetime | None = await session.scalar(earliest)
    return start


def cheaper_to_rewind(ends: Sequence[datetime], history_start: datetime | None) -> bool:
    """Whether fewer changes lie between the first of `ends` and now than between the
    history's first change and the last of `ends`, judged by the time they span."""
    if history_start is None:
        return False
    return utcnow() - ends[0] < ends[-1] - history_start


def _rewound(
    since: CTE,
    table: Any,
    records: Select[Any],
    stages: Sequence[str] | None,
    amount: Any,
    keys: Sequence[Any],
) -> CompoundSelect[Any]:
    """The moves of `since` (grouped changes since the first end) made into the moves that
    `held_at_ends` adds up forward: the records as they are now, each arriving in its
    stage before the first end; each change undone there, as the move back (so the state
    at the first end is now less every change since: swapping where a move came from and
    went to turns what it adds into what it takes away); then each change again, from the
    end it belongs to, as counted forward."""
    stage = type_coerce(table.c[_stage_attribute(table)], String())
    value = amount if amount is not None else literal(0, Integer)
    now = select(
        literal(0, Integer).label("reached"),
        *keys,
        stage.label("to_stage"),
        null().label("from_stage"),
        func.count().label("n"),
        func.count(value).label("priced"),
        func.coalesce(func.sum(value), 0).label("total"),
    )
    if records.whereclause is not None:
        now = now.where(records.whereclause)
    if stages is not None:
        now = now.where(stage.in_(stages))
    now = now.group_by(*keys, stage)
    grouping = [since.c[column.key] for column in keys]
    undone = select(
        literal(0, Integer),
        *grouping,
        since.c.from_stage,
        since.c.to_stage,
        since.c.n,
        since.c.priced,
        since.c.total,
    )
    return union_all(now, undone, select(since))


def _records_table(records: Select[Any]) -> Any:
    """The one table `records` (`select(Model.id).where(...)`) reads. Callers join that
    table and apply the conditions of `records` to it, so a second table would be lost."""
    froms = records.get_final_froms()
    if len(froms) != 1:  # pragma: no cover
        raise ValueError("records must select from one table")
    return froms[0]


def others(entity: EntityType, stages: Sequence[str]) -> list[str]:
    """The entity's stages other than `stages`. Said of a change's `to_stage` rather than
    NOT IN, it lets the database read either index, on the stages a move leaves or on
    those it enters, whichever its statistics say holds fewer moves."""
    lifecycle = next(each for each in LIFECYCLES.values() if each.entity_type is entity)
    return [stage.value for stage in lifecycle.stages if stage.value not in stages]


def _stage_attribute(table: Any) -> str:
    lifecycle = next(
        each for each in LIFECYCLES.values() if inspect(each.model).local_table is table
    )
    return lifecycle.attribute


def _numbers(count: int) -> CTE:
    """`numbers(p)`: 0 to count - 1."""
    rows = [select(literal(index, Integer).label("p")) for index in range(count)]
    return (union_all(*rows) if len(rows) > 1 else rows[0]).cte("numbers")


def points_table(moments: Sequence[datetime]) -> CTE:
    """`points(p, at)`: the given moments, numbered from 0."""
    rows = [
        select(literal(index, Integer).label("p"), literal(at, UTCDateTime()).label("at"))
        for index, at in enumerate(moments)
    ]
    return (union_all(*rows) if len(rows) > 1 else rows[0]).cte("points")


def in_stage_at(stay: Any, moment: Any) -> ColumnElement[bool]:
    """The stay holds the record's stage at `moment`: after every change before `moment`.

    So the state at the end of one window is the state at the start of the next, and a
    change at exactly `moment` belongs to the window that starts there.
    """
    return and_(stay.c.started < moment, or_(stay.c.ended.is_(None), stay.c.ended >= moment))


def summary(values: Any, keys: Sequence[str], *, fractions: Sequence[int] = (50,)) -> Select[Any]:
    """Per group of `keys`: count, mean and the given percentiles (in percent) of `value`.

    Percentiles interpolate linearly between the two nearest ranks, like PostgreSQL's
    percentile_cont, computed with window functions that SQLite has too.
    """
    groups = [values.c[key] for key in keys]
    ranked = select(
        *groups,
        values.c.value,
        func.row_number().over(partition_by=groups, order_by=values.c.value).label("rn"),
        func.count().over(partition_by=groups).label("n"),
    ).subquery("ranked")
    ranked_groups = [ranked.c[key] for key in keys]
    return select(
        *ranked_groups,
        func.count().label("count"),
        func.avg(ranked.c.value).label("mean"),
        *(_percentile(ranked, fraction).label(f"p{fraction}") for fraction in fractions),
    ).group_by(*ranked_groups)


def _percentile(ranked: Any, percent: int) -> ColumnElement[Any]:
    # The p-th percentile sits at 0-based position p * (n - 1) / 100 = low + remainder / 100.
    scaled = percent * (ranked.c.n - 1)
    low = scaled // 100
    remainder = scaled - 100 * low
    position = ranked.c.rn - 1
    weighted = case(
        (position == low, ranked.c.value * (100 - remainder)),
        (position == low + 1, ranked.c.value * remainder),
        else_=0,
    )
    return func.sum(weighted) / 100.0
