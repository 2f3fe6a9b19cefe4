"""What a client may read, filter and sort of each record type, declared once per type.

A domain module registers a `Queryable`: its scalar fields (column and kind), its
relations, and the other fields a client reads with the columns each needs. From it the
schema builds the `<Type>Filter`, `<Type>Order` and `<Type>OrderField` inputs, `where` /
`ordering` turn those inputs into SQL, and `Queryable.columns` says which columns a
selection of fields needs, so that reads load only those.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum, StrEnum
from functools import cached_property
from typing import Any

from sqlalchemy import Select, and_, exists, false, not_, or_, select, true
from sqlalchemy.orm import InstrumentedAttribute

from resolvers import global_ids
from resolvers.errors import BadRequestError
from resolvers.pagination import Ordering, SortKey
from resolvers.principal import Principal
from resolvers.validation import InvalidValueError, operand_problem, to_utc


class Kind(StrEnum):
    STRING = "STRING"
    INT = "INT"
    DECIMAL = "DECIMAL"
    DATE = "DATE"
    DATETIME = "DATETIME"
    BOOLEAN = "BOOLEAN"
    ENUM = "ENUM"
    ID = "ID"


@dataclass(frozen=True)
class Scalar:
    column: InstrumentedAttribute[Any]
    kind: Kind
    enum: type[Enum] | None = None
    # For ids: the type the global ids name (the record's own type, or the referenced one).
    id_type: str | None = None


@dataclass(frozen=True)
class ToOne:
    """A reference from this record to one `target` record through `column` (a foreign key)."""

    target: str
    column: InstrumentedAttribute[Any]


@dataclass(frozen=True)
class ToMany:
    """`target` records whose `column` points at this record."""

    target: str
    column: InstrumentedAttribute[Any]


class UnmappedFieldError(LookupError):
    """A field of a record type that its catalog entry does not map to columns: a bug."""


@dataclass(frozen=True)
class Queryable:
    name: str
    model: type[Any]
    fields: Mapping[str, Scalar]
    relations: Mapping[str, ToOne | ToMany] = field(default_factory=dict)
    # Fields a client reads that are neither filters nor relations (computed ones, say),
    # with the columns each needs; () for those that need only the id.
    reads: Mapping[str, tuple[InstrumentedAttribute[Any], ...]] = field(default_factory=dict)
    archivable: bool = True

    @cached_property
    def _columns_of_field(self) -> dict[str, frozenset[str]]:
        """Field name to the attribute names of the columns it is resolved from."""
        mapping = {name: frozenset({scalar.column.key}) for name, scalar in self.fields.items()}
        for name, relation in self.relations.items():
            # A to-one relation follows this record's foreign key; a to-many one its id.
            mapping[name] = frozenset({relation.column.key} if isinstance(relation, ToOne) else ())
        for name, columns in self.reads.items():
            mapping[name] = frozenset(column.key for column in columns)
        return mapping

    def columns(self, field_names: Iterable[str]) -> frozenset[str]:
        """The columns that resolving `field_names` (Python names) needs; the id always."""
        mapping = self._columns_of_field
        needed = {"id"}
        for name in field_names:
            try:
                needed |= mapping[name]
            except KeyError:
                raise UnmappedFieldError(
                    f"{self.name}.{name} has no columns declared in resolvers/catalog.py"
                ) from None
        return frozenset(needed)


REGISTRY: dict[str, Queryable] = {}

# Bounds that keep one filter within what both databases can plan.
MAX_LIST_OPERANDS = 1000
MAX_COMBINED_FILTERS = 100


def register(queryable: Queryable) -> Queryable:
    REGISTRY[queryable.name] = queryable
    return queryable


def record_fields(model: type[Any], *, owned: bool = True) -> dict[str, Scalar]:
    """The fields every record shares: id, timestamps, version, and the owner when it has one."""
    fields = {
        "id": Scalar(model.id, Kind.ID, id_type=model.__name__),
        "version": Scalar(model.version, Kind.INT),
        "created_at": Scalar(model.created_at, Kind.DATETIME),
        "updated_at": Scalar(model.updated_at, Kind.DATETIME),
    }
    if owned:
        fields["owner_id"] = Scalar(model.owner_id, Kind.ID, id_type="User")
    return fields


def record_reads(model: type[Any], *, lifecycle: bool = False) -> dict[str, tuple[Any, ...]]:
    """Readable fields every record shares beyond its filters: when it was archived and,
    for records with a lifecycle, the history fields (looked up by the record's id)."""
    reads: dict[str, tuple[Any, ...]] = {"archived_at": (model.archived_at,)}
    if lifecycle:
        reads |= {"stage_history": (), "entered_stage_at": (), "time_in_stage_seconds": ()}
    return reads


def owner_relation(model: type[Any]) -> dict[str, ToOne]:
    return {"owner": ToOne("User", model.owner_id)}


ARCHIVE_SCOPES = ("ACTIVE", "ARCHIVED", "ALL")


def archived_condition(queryable: Queryable, scope: str) -> Any:
    if not queryable.archivable or scope == "ALL":
        return true()
    column = queryable.model.archived_at
    return column.is_(None) if scope == "ACTIVE" else column.is_not(None)


def filtered(
    queryable: Queryable, principal: Principal, criteria: Mapping[str, Any]
) -> Select[Any]:
    """The records of the caller's workspace that a `<Type>Filter` selects."""
    model = queryable.model
    return select(model).where(
        model.workspace_id == principal.workspace_id,
        archived_condition(queryable, criteria.get("archived", "ACTIVE")),
        where(queryable, criteria, principal),
    )


def where(queryable: Queryable, criteria: Mapping[str, Any], principal: Principal) -> Any:
    """The SQL condition of a `<Type>Filter` input, given as nested dicts of set fields."""
    parts = []
    for name, value in criteria.items():
        if name == "archived":
            continue  # the list's scope, applied by the caller
        if name in ("and_", "or_") and len(value) > MAX_COMBINED_FILTERS:
            raise BadRequestError(f"`and` and `or` take at most {MAX_COMBINED_FILTERS} filters.")
        if name == "and_":
            parts.append(and_(true(), *(where(queryable, item, principal) for item in value)))
        elif name == "or_":
            parts.append(or_(false(), *(where(queryable, item, principal) for item in value)))
        elif name == "not_":
            parts.append(not_(where(queryable, value, principal)))
        elif name in queryable.fields:
            parts.append(_scalar_condition(name, queryable.fields[name], value))
        else:
            relation = queryable.relations[name]
            parts.append(_relation_condition(queryable, relation, value, principal))
    return and_(true(), *parts)


def _related(target: Queryable, criteria: Mapping[str, Any], principal: Principal) -> list[Any]:
    """Conditions on a related record: its workspace, its archive scope, its own filter."""
    return [
        target.model.workspace_id == principal.workspace_id,
        archived_condition(target, criteria.get("archived", "ACTIVE")),
        where(target, criteria, principal),
    ]


def _relation_condition(
    queryable: Queryable, relation: ToOne | ToMany, value: Mapping[str, Any], principal: Principal
) -> Any:
    target = REGISTRY[relation.target]
    if isinstance(relation, ToOne):
        matching = select(target.model.id).where(
            target.model.id == relation.column, *_related(target, value, principal)
        )
        return exists(matching)
    conditions = []
    for quantifier, criteria in value.items():
        matching = select(target.model.id).where(
            relation.column == queryable.model.id, *_related(target, criteria, principal)
        )
        conditions.append(exists(matching) if quantifier == "some" else ~exists(matching))
    return and_(true(), *conditions)


def _scalar_condition(name: str, scalar: Scalar, operators: Mapping[str, Any]) -> Any:
    column = scalar.column
    parts: list[Any] = []
    for operator, raw in operators.items():
        value = _value(name, scalar, raw)
        if operator == "is_null":
            parts.append(column.is_(None) if raw else column.is_not(None))
        elif operator == "eq":
            parts.append(column == value)
        elif operator == "neq":
            parts.append(column != value)
        elif operator == "in_":
            parts.append(column.in_(value))
        elif operator == "not_in":
            parts.append(column.not_in(value))
        elif operator == "contains":
            parts.append(column.icontains(value, autoescape=True))
        elif operator == "starts_with":
            parts.append(column.istartswith(value, autoescape=True))
        else:
            comparisons = {"gt": column > value, "gte": column >= value, "lt": column < value}
            parts.append(comparisons.get(operator, column <= value))
    return and_(true(), *parts)


def _value(name: str, scalar: Scalar, raw: Any) -> Any:
    """An operand as the column stores it: ids decoded; times, numbers and text checked."""
    if isinstance(raw, list):
        if len(raw) > MAX_LIST_OPERANDS:
            raise BadRequestError(f"Filter on `{name}`: at most {MAX_LIST_OPERANDS} values.")
        return [_value(name, scalar, item) for item in raw]
    problem = None
    if scalar.kind is Kind.ID and isinstance(raw, str):
        pk = global_ids.decode_as(raw, scalar.id_type or "")
        if pk is None:
            problem = f"is not a {scalar.id_type} id"
        raw = pk
    elif isinstance(raw, datetime):
        try:
            raw = to_utc(raw)
        except InvalidValueError as invalid:
            problem = invalid.message
    else:
        problem = operand_problem(raw)
    if problem:
        raise BadRequestError(f"Filter on `{name}`: the value {problem}.")
    return raw


def ordering(queryable: Queryable, order_by: Sequence[tuple[str, bool]]) -> Ordering:
    """The keyset ordering for `orderBy` terms of (field name, descending); id breaks ties."""
    keys: list[SortKey] = []
    for name, descending in order_by:
        if name == "id":
            # The id is unique: it ends the ordering, in the direction asked for.
            return Ordering(queryable.model, keys, id_descending=descending)
        keys.append(SortKey(queryable.fields[name].column, descending))
    return Ordering(queryable.model, keys)
