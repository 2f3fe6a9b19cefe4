"""What every record type's schema shares: root lists, CRUD mutations, inputs and payloads.

A domain module (schema/accounts.py, ...) declares its node type, filter and create input;
`crud_mutations` derives the update, archive and restore inputs, the four payloads and the
four mutations from them, so every record type behaves the same way for partners.
"""

import dataclasses
from collections.abc import Awaitable, Callable
from enum import Enum
from types import ModuleType
from typing import Any

import strawberry
from strawberry.types import Info
from strawberry.types.base import get_object_definition
from strawberry.types.unset import UNSET

from resolvers import lifecycle, records
from resolvers.errors import UserInputError
from resolvers.loaders import RelatedQuery
from resolvers.pagination import build_page
from resolvers.queryable import REGISTRY
from resolvers.uow import run_unit_of_work
from schema.errors import UserError, user_errors
from schema.filters import FILTERS, ORDERS, order_terms
from schema.relay import Connection, page_args
from schema.selection import record_columns


def input_data(value: Any, *, creating: bool = False) -> Any:
    """A Strawberry input as plain dicts and lists, leaving out the fields that were not sent.

    On create, null means the same as leaving a field out; on update, null clears it.
    """
    if isinstance(value, list):
        return [input_data(item, creating=creating) for item in value]
    if get_object_definition(value) is not None:
        left_out = (UNSET, None) if creating else (UNSET,)
        return {
            field.name: input_data(getattr(value, field.name), creating=creating)
            for field in dataclasses.fields(value)
            if not any(getattr(value, field.name) is marker for marker in left_out)
        }
    return value


def _order_by_type(name: str) -> Any:
    return list[ORDERS[name]] | None


def list_field(connection: Any, model: type[Any], description: str) -> Any:
    """A root list of `model`, filtered, ordered and paged by keyset."""
    name = model.__name__
    filter_type, order_type = FILTERS[name], _order_by_type(name)

    async def resolve(
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        filter: filter_type | None = None,  # type: ignore[valid-type]
        order_by: order_type = None,  # type: ignore[valid-type]
    ) -> connection:  # type: ignore[valid-type]
        context = info.context
        page = await records.list_(
            context.reads,
            REGISTRY[name],
            principal=context.principal,
            args=page_args(first, after, last, before),
            criteria=input_data(filter, creating=True) if filter else {},
            order_by=order_terms(order_by),
            columns=record_columns(info, name, connection=True),
        )
        return Connection(page=page)

    return strawberry.field(resolver=resolve, description=description)


def related_connection(connection: Any, parent_column: Any, description: str) -> Any:
    """A connection field listing the records whose `parent_column` points at this record.

    Rows for every parent in the response load in one batched statement (see
    `resolvers.pagination.paginate_per_parent`); counts likewise, and only when selected.
    """
    name = parent_column.class_.__name__
    filter_type, order_type = FILTERS[name], _order_by_type(name)

    async def resolve(
        root: strawberry.Parent[Any],
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        filter: filter_type | None = None,  # type: ignore[valid-type]
        order_by: order_type = None,  # type: ignore[valid-type]
    ) -> connection:  # type: ignore[valid-type]
        args = page_args(first, after, last, before)
        query = RelatedQuery(
            queryable=REGISTRY[name],
            parent_column=parent_column,
            criteria=input_data(filter, creating=True) if filter else {},
            order_by=tuple(order_terms(order_by)),
            columns=record_columns(info, name, connection=True),
        )
        loaders = info.context.loaders
        fetched = await loaders.related_rows(query, args).load(root.id)
        count_loader = loaders.related_count(query)
        page = build_page(query.ordering(), args, fetched, lambda: count_loader.load(root.id))
        return Connection(page=page)

    return strawberry.field(resolver=resolve, description=description)


def _input_type(name: str, fields: dict[str, tuple[Any, Any]], description: str) -> Any:
    namespace: dict[str, Any] = {"__annotations__": {}, "__module__": __name__}
    for field_name, (annotation, field) in fields.items():
        namespace["__annotations__"][field_name] = annotation
        namespace[field_name] = field
    return strawberry.input(type(name, (), namespace), description=description)


def update_input(entity: str, create_input: Any, spec: records.Spec) -> Any:
    """`<Entity>UpdateInput`: the id, the expected version, and every create field made optional.

    The domain's `spec` says which fields null may clear (not `currency`, say, which always
    holds a value though a create may leave it out).
    """
    fields: dict[str, tuple[Any, Any]] = {
        "id": (strawberry.ID, strawberry.field(description=f"The {entity}'s global id.")),
        "expected_version": (
            int | None,
            strawberry.field(
                default=None,
                description="The version you last read; a different current version is a "
                "VERSION_CONFLICT and changes nothing. Leave out to overwrite unconditionally.",
            ),
        ),
    }
    for field in get_object_definition(create_input, strict=True).fields:
        if field.python_name == "created_at":
            continue  # creation time is set once
        annotation = field.type_annotation.annotation if field.type_annotation else field.type
        cleaner = spec.get(field.python_name)
        clearable = _is_optional(annotation) and (cleaner is None or cleaner.nullable)
        keep = "Leave out to keep the current value" + ("; null clears it." if clearable else ".")
        fields[field.python_name] = (
            annotation if _is_optional(annotation) else annotation | None,
            strawberry.field(
                default=UNSET,
                description=f"{field.description or ''} {keep}".strip(),
            ),
        )
    return _input_type(
        f"{entity}UpdateInput",
        fields,
        f"Changes to a {entity}: only the fields present are written.",
    )


def _is_optional(annotation: Any) -> bool:
    return type(None) in getattr(annotation, "__args__", ())


def reference_input(entity: str, verb: str) -> Any:
    return _input_type(
        f"{entity}{verb}Input",
        {
            "id": (strawberry.ID, strawberry.field(description=f"The {entity}'s global id.")),
            "expected_version": (
                int | None,
                strawberry.field(
                    default=None,
                    description="Refuse with VERSION_CONFLICT unless still at this version.",
                ),
            ),
        },
        f"Which {entity} to {verb.lower()}.",
    )


def payload(entity: str, verb: str, node_type: Any) -> Any:
    field_name = entity[0].lower() + entity[1:]
    namespace = {
        "__annotations__": {field_name: node_type | None, "user_errors": list[UserError]},
        "__module__": __name__,
        field_name: strawberry.field(default=None, description=f"The {entity}, unless refused."),
        "user_errors": strawberry.field(
            default_factory=list, description="Why the input was refused; empty on success."
        ),
    }
    return strawberry.type(type(f"{entity}{verb}Payload", (), namespace))


Write = Callable[..., Awaitable[Any]]


async def run_write(
    info: Info,
    payload_type: Any,
    field_name: str,
    write: Write,
    fields: Callable[[Any], dict[str, Any]] | None = None,
    writes_history: bool = False,
    **kwargs: Any,
) -> Any:
    """One mutation, one unit of work: the result on success, userErrors and no change otherwise.

    `fields` maps what `write` returned to the payload's fields (default: the record);
    `writes_history` says the write may append to the lifecycle history.
    """
    context = info.context
    history_of = context.principal.workspace_id if writes_history else None
    try:
        result = await run_unit_of_work(
            context.sessions,
            context.bus,
            lambda session: write(session, actor=context.principal, **kwargs),
            history_of=history_of,
        )
    except UserInputError as error:
        return payload_type(user_errors=user_errors(error))
    return payload_type(**(fields(result) if fields else {field_name: result}))


def crud_mutations(
    entity: str,
    node_type: Any,
    model: type[Any],
    create_input: Any,
    domain: ModuleType,
    extra: dict[str, Any] | None = None,
) -> Any:
    """The `<entity>Create`, `...Update`, `...Archive` and `...Restore` mutations of one type,
    plus the domain's `extra` mutations (python name to field)."""
    field_name = entity[0].lower() + entity[1:]
    update_type = update_input(entity, create_input, domain.SPEC)
    archive_type = reference_input(entity, "Archive")
    restore_type = reference_input(entity, "Restore")
    payloads = {
        verb: payload(entity, verb, node_type)
        for verb in ("Create", "Update", "Archive", "Restore")
    }

    async def create(info: Info, input: create_input) -> payloads["Create"]:  # type: ignore[valid-type]
        return await run_write(
            info,
            payloads["Create"],
            field_name,
            domain.create,
            writes_history=model in lifecycle.LIFECYCLES,
            data=input_data(input, creating=True),
        )

    async def update(info: Info, input: update_type) -> payloads["Update"]:  # type: ignore[valid-type]
        data = input_data(input)
        return await run_write(
            info,
            payloads["Update"],
            field_name,
            domain.update,
            global_id=data.pop("id"),
            expected_version=data.pop("expected_version", None),
            data=data,
        )

    async def archive(info: Info, input: archive_type) -> payloads["Archive"]:  # type: ignore[valid-type]
        return await run_write(
            info,
            payloads["Archive"],
            field_name,
            _set_archived,
            model=model,
            global_id=input.id,
            expected_version=input.expected_version,
            archived=True,
        )

    async def restore(info: Info, input: restore_type) -> payloads["Restore"]:  # type: ignore[valid-type]
        return await run_write(
            info,
            payloads["Restore"],
            field_name,
            _set_archived,
            model=model,
            global_id=input.id,
            expected_version=input.expected_version,
            archived=False,
        )

    namespace = {
        "__module__": __name__,
        f"{field_name}_create": strawberry.mutation(
            resolver=create, description=f"Create a {entity}."
        ),
        f"{field_name}_update": strawberry.mutation(
            resolver=update, description=f"Change fields of a {entity}."
        ),
        f"{field_name}_archive": strawberry.mutation(
            resolver=archive,
            description=f"Archive a {entity}: it leaves lists unless asked for; never deleted.",
        ),
        f"{field_name}_restore": strawberry.mutation(
            resolver=restore, description=f"Bring an archived {entity} back."
        ),
    }
    return strawberry.type(type(f"{entity}Mutation", (), {**namespace, **(extra or {})}))


async def _set_archived(
    session: Any,
    *,
    actor: Any,
    model: type[Any],
    global_id: str,
    expected_version: int | None,
    archived: bool,
) -> Any:
    return await records.set_archived(
        session,
        model,
        principal=actor,
        global_id=global_id,
        expected_version=expected_version,
        archived=archived,
    )


def enum_type(enum: type[Enum], description: str) -> Any:
    return strawberry.enum(enum, description=description)
