"""Filter and ordering inputs, built from the catalog in resolvers/catalog.py.

For each record type: `<Type>Filter` (per-field operators, relations, `and`/`or`/`not`,
the archive scope), `<Type>ListFilter` (`some`/`none`, for to-many relations),
`<Type>OrderField` and `<Type>Order`. The classes are made here, at import, and placed in
this module's namespace so that they can refer to each other by name.
"""

import sys
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

import strawberry

from resolvers import catalog
from resolvers.queryable import REGISTRY, Kind, Queryable, ToMany
from schema import enums  # noqa: F401  (registers the enums with Strawberry)
from schema.relay import ArchiveScope

_module = sys.modules[__name__]


@strawberry.enum(description="Sort direction. Nulls sort last going up and first going down.")
class OrderDirection(Enum):
    ASC = "ASC"
    DESC = "DESC"


def _operator_input(name: str, value: Any, operators: list[str], doc: str) -> Any:
    descriptions = {
        "eq": "Equal to.",
        "neq": "Not equal to (rows where the field is null do not match).",
        "in_": "Equal to one of these.",
        "not_in": "Equal to none of these (nulls do not match).",
        "contains": "Contains this text, ignoring case.",
        "starts_with": "Starts with this text, ignoring case.",
        "gt": "Greater than.",
        "gte": "Greater than or equal to.",
        "lt": "Less than.",
        "lte": "Less than or equal to.",
        "is_null": "True: only rows where the field is null; false: only where it is set.",
    }
    annotations: dict[str, Any] = {}
    namespace: dict[str, Any] = {"__module__": __name__}
    for operator in operators:
        many = operator in ("in_", "not_in")
        annotations[operator] = (
            bool | None if operator == "is_null" else (list[value] if many else value) | None
        )
        namespace[operator] = strawberry.field(
            default=None,
            name="in" if operator == "in_" else None,
            description=descriptions[operator],
        )
    namespace["__annotations__"] = annotations
    return strawberry.input(type(name, (), namespace), description=doc)


_EQUALITY = ["eq", "neq", "in_", "not_in", "is_null"]
_RANGE = ["eq", "neq", "gt", "gte", "lt", "lte", "in_", "is_null"]

StringFilter = _operator_input(
    "StringFilter", str, [*_EQUALITY, "contains", "starts_with"], "Conditions on a text field."
)
IntFilter = _operator_input("IntFilter", int, _RANGE, "Conditions on a whole number.")
DecimalFilter = _operator_input("DecimalFilter", Decimal, _RANGE, "Conditions on an amount.")
DateFilter = _operator_input("DateFilter", date, _RANGE, "Conditions on a date.")
DateTimeFilter = _operator_input(
    "DateTimeFilter", datetime, _RANGE, "Conditions on a timestamp (give a UTC offset)."
)
BooleanFilter = _operator_input("BooleanFilter", bool, ["eq", "is_null"], "Conditions on a flag.")
IDFilter = _operator_input(
    "IDFilter", strawberry.ID, ["eq", "in_", "is_null"], "Conditions on an id."
)

_KIND_FILTERS = {
    Kind.STRING: StringFilter,
    Kind.INT: IntFilter,
    Kind.DECIMAL: DecimalFilter,
    Kind.DATE: DateFilter,
    Kind.DATETIME: DateTimeFilter,
    Kind.BOOLEAN: BooleanFilter,
    Kind.ID: IDFilter,
}
_enum_filters: dict[type[Enum], Any] = {}


def _enum_filter(enum: type[Enum]) -> Any:
    if enum not in _enum_filters:
        _enum_filters[enum] = _operator_input(
            f"{enum.__name__}Filter", enum, _EQUALITY, f"Conditions on a {enum.__name__}."
        )
    return _enum_filters[enum]


def _filter_input(queryable: Queryable) -> Any:
    name = queryable.name
    annotations: dict[str, Any] = {}
    namespace: dict[str, Any] = {"__module__": __name__}
    if queryable.archivable:
        annotations["archived"] = ArchiveScope
        namespace["archived"] = strawberry.field(
            default=ArchiveScope.ACTIVE,
            description="ACTIVE (default), ARCHIVED or ALL records.",
        )
    for field_name, scalar in queryable.fields.items():
        operator_type = _enum_filter(scalar.enum) if scalar.enum else _KIND_FILTERS[scalar.kind]
        annotations[field_name] = operator_type | None
        namespace[field_name] = strawberry.field(default=None)
    for relation_name, relation in queryable.relations.items():
        suffix = "ListFilter" if isinstance(relation, ToMany) else "Filter"
        annotations[relation_name] = f"{relation.target}{suffix} | None"
        namespace[relation_name] = strawberry.field(
            default=None,
            description=(
                "Records with some / none of these related records."
                if isinstance(relation, ToMany)
                else f"Conditions on the related {relation.target}."
            ),
        )
    annotations.update({"and_": f"list[{name}Filter] | None", "or_": f"list[{name}Filter] | None"})
    annotations["not_"] = f"{name}Filter | None"
    namespace["and_"] = strawberry.field(default=None, name="and", description="All of these.")
    namespace["or_"] = strawberry.field(default=None, name="or", description="Any of these.")
    namespace["not_"] = strawberry.field(default=None, name="not", description="Not this.")
    namespace["__annotations__"] = annotations
    return strawberry.input(
        type(f"{name}Filter", (), namespace),
        description=f"Which {name} records to list; every given condition must hold.",
    )


def _list_filter(name: str) -> Any:
    namespace = {
        "__module__": __name__,
        "__annotations__": {"some": f"{name}Filter | None", "none": f"{name}Filter | None"},
        "some": strawberry.field(default=None, description="At least one related record matches."),
        "none": strawberry.field(default=None, description="No related record matches."),
    }
    return strawberry.input(type(f"{name}ListFilter", (), namespace))


def _order_types(queryable: Queryable) -> tuple[Any, Any]:
    # CREATED_AT -> created_at: the enum's values are the catalog's field names.
    members = {name.upper(): name for name in queryable.fields}
    field_enum = strawberry.enum(
        Enum(f"{queryable.name}OrderField", members),  # type: ignore[misc]
        description=f"Fields a {queryable.name} list can be sorted by.",
    )
    order = strawberry.input(
        type(
            f"{queryable.name}Order",
            (),
            {
                "__module__": __name__,
                "__annotations__": {"field": field_enum, "direction": OrderDirection},
                "direction": strawberry.field(default=OrderDirection.ASC),
            },
        ),
        description="One sort key; the id always breaks ties.",
    )
    return field_enum, order


FILTERS: dict[str, Any] = {}
ORDERS: dict[str, Any] = {}
for _name, _queryable in REGISTRY.items():
    FILTERS[_name] = _filter_input(_queryable)
    _field_enum, ORDERS[_name] = _order_types(_queryable)
    for _cls in (FILTERS[_name], _list_filter(_name), _field_enum, ORDERS[_name]):
        setattr(_module, _cls.__name__, _cls)

assert catalog.ACCOUNT.name in FILTERS  # the catalog registers every type on import


def order_terms(order_by: list[Any] | None) -> list[tuple[str, bool]]:
    """`orderBy` inputs as (catalog field name, descending) pairs."""
    return [(term.field.value, term.direction is OrderDirection.DESC) for term in order_by or []]
