"""Which columns a field's GraphQL selection needs, so that its read loads only those.

The walk follows fragments and inline fragments (a type condition of another record type
is skipped; one of an interface such as Node applies) and ignores `@skip`/`@include`,
which can only make it load more than needed, never less. Field names become columns
through the catalog (`Queryable.columns`), the one place a type maps fields to columns.
"""

from collections.abc import Iterable, Iterator
from typing import Any

from graphql import FieldNode, FragmentDefinitionNode, InlineFragmentNode, SelectionSetNode
from strawberry.types import Info
from strawberry.types.base import StrawberryObjectDefinition

from resolvers.columns import Columns
from resolvers.queryable import REGISTRY

_python_names: dict[str, dict[str, str]] = {}


def record_columns(info: Info, type_name: str, *, connection: bool = False) -> Columns:
    """The columns of `type_name` that the current field's selection reads: of the field's
    own object, or of the nodes of the connection it returns. None (every column) for a
    type the catalog does not describe."""
    queryable = REGISTRY.get(type_name)
    if queryable is None:
        return None
    raw = info._raw_info  # noqa: SLF001  (Strawberry's public selected_fields drops the AST)
    key = (type_name, connection, *map(id, raw.field_nodes))
    # Keyed by the identity of the document's nodes, and holding them (so that no id is
    # reused while cached): one walk per field of a request, whatever the number of rows.
    cache: dict[Any, tuple[Any, Columns]] = info.context.selections
    if key not in cache:
        fragments = raw.fragments
        sets: list[SelectionSetNode | None] = [node.selection_set for node in raw.field_nodes]
        if connection:
            edges = _children(sets, "edges", type_name, fragments)
            sets = [
                *_children(sets, "nodes", type_name, fragments),
                *_children(edges, "node", type_name, fragments),
            ]
        names = _python_names_of(info, type_name)
        selected = {
            names[field.name.value]
            for field in _fields(sets, type_name, fragments)
            if field.name.value in names
        }
        cache[key] = (raw.field_nodes, queryable.columns(selected))
    return cache[key][1]


def _python_names_of(info: Info, type_name: str) -> dict[str, str]:
    """GraphQL field name to Python name, for one object type of the schema."""
    names = _python_names.get(type_name)
    if names is None:
        definition = info.schema.get_type_by_name(type_name)
        assert isinstance(definition, StrawberryObjectDefinition)
        converter = info.schema.config.name_converter
        names = {
            converter.get_graphql_name(field): field.python_name for field in definition.fields
        }
        _python_names[type_name] = names
    return names


def _children(
    sets: Iterable[SelectionSetNode | None],
    name: str,
    type_name: str,
    fragments: dict[str, FragmentDefinitionNode],
) -> list[SelectionSetNode | None]:
    return [
        field.selection_set
        for field in _fields(sets, type_name, fragments)
        if field.name.value == name
    ]


def _fields(
    sets: Iterable[SelectionSetNode | None],
    type_name: str,
    fragments: dict[str, FragmentDefinitionNode],
) -> Iterator[FieldNode]:
    for selection_set in sets:
        if selection_set is None:
            continue
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                yield selection
                continue
            fragment = (
                selection
                if isinstance(selection, InlineFragmentNode)
                else fragments[selection.name.value]  # type: ignore[attr-defined]
            )
            condition = fragment.type_condition
            if condition is None or _applies(condition.name.value, type_name):
                yield from _fields([fragment.selection_set], type_name, fragments)


def _applies(condition: str, type_name: str) -> bool:
    # An interface, or the connection or edge around the records, always applies.
    return condition == type_name or condition not in REGISTRY
