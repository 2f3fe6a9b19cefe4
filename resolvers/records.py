"""What every record type shares: workspace scoping, validation, versioned update, archive.

Domain modules (`accounts.py`, `contacts.py`, ...) describe their input with cleaners and
add their own rules; the mechanics live here once.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import datetime
from enum import StrEnum
from typing import Any, TypeVar, cast

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import InstrumentedAttribute

from db.base import RecordMixin, utcnow
from db.enums import ApiKeyRole, StageChangeCause
from db.models import Workspace
from resolvers import global_ids, lifecycle
from resolvers.columns import Columns, only
from resolvers.errors import ErrorCode, FieldError, ForbiddenError, UserInputError
from resolvers.pagination import Page, PageArgs, paginate
from resolvers.principal import Principal
from resolvers.queryable import Queryable, filtered, ordering
from resolvers.validation import Cleaner, InvalidValueError, Lookup, to_utc

Record = TypeVar("Record", bound=RecordMixin)
Spec = Mapping[str, Cleaner]


class ArchiveScope(StrEnum):
    """Which records a list shows: archived ones only when asked for."""

    ACTIVE = "ACTIVE"
    ARCHIVED = "ARCHIVED"
    ALL = "ALL"


async def list_(
    sessions: async_sessionmaker[AsyncSession],
    queryable: Queryable,
    *,
    principal: Principal,
    args: PageArgs,
    criteria: Mapping[str, Any],
    order_by: Sequence[tuple[str, bool]] = (),
    columns: Columns = None,
) -> Page[Any]:
    """A page of the records a filter selects, in the order asked (id breaks ties), with
    `columns` loaded (all when None)."""
    statement = filtered(queryable, principal, criteria)
    return await paginate(sessions, statement, ordering(queryable, order_by), args, columns)


async def load_by_ids(
    session: AsyncSession,
    model: type[Record],
    *,
    principal: Principal,
    ids: Sequence[int],
    columns: Columns = None,
) -> list[Record | None]:
    """Records in the order of `ids`, None for any that is not in the caller's workspace."""
    rows = await session.scalars(
        select(model)
        .options(*only(model, columns))
        .where(model.id.in_(ids), model.workspace_id == principal.workspace_id)
    )
    found = {row.id: row for row in rows}
    return [found.get(pk) for pk in ids]


async def get_for_write(
    session: AsyncSession,
    model: type[Record],
    *,
    principal: Principal,
    global_id: str,
    expected_version: int | None,
    allow_archived: bool = False,
    field: str = "id",
) -> Record:
    """The record a write is about, checked before anything changes.

    The row stays locked until the transaction ends (on PostgreSQL; SQLite serializes
    writers anyway), so concurrent writers of one record queue up instead of racing.
    """
    type_name = model.__name__
    pk = global_ids.decode_as(global_id, type_name)
    record = None
    if pk is not None:
        record = await session.scalar(
            select(model)
            .where(model.id == pk, model.workspace_id == principal.workspace_id)
            .with_for_update()
        )
    if record is None:
        raise UserInputError.single(ErrorCode.NOT_FOUND, f"No {type_name} with this id.", (field,))
    if expected_version is not None and record.version != expected_version:
        raise UserInputError.single(
            ErrorCode.VERSION_CONFLICT,
            f"{type_name} is at version {record.version}, not {expected_version}: "
            "it was changed since you read it. Read it again and retry.",
            ("expected_version",),
        )
    if record.archived_at is not None and not allow_archived:
        raise UserInputError.single(
            ErrorCode.ARCHIVED,
            f"{type_name} is archived; restore it before changing it.",
            (field,),
        )
    return record


async def clean_input(
    session: AsyncSession,
    spec: Spec,
    data: Mapping[str, Any],
    *,
    principal: Principal,
    creating: bool,
) -> dict[str, Any]:
    """Column values for `data`, or a UserInputError naming every invalid field."""
    lookup = Lookup(session=session, workspace_id=principal.workspace_id)
    values: dict[str, Any] = {}
    errors: list[FieldError] = []
    for name, cleaner in spec.items():
        if name not in data:
            if creating and cleaner.required:
                message = f"{_label(name)} is required"
                errors.append(FieldError(ErrorCode.REQUIRED, message, (name,)))
            continue
        try:
            cleaned = await _clean_value(cleaner, data[name], lookup)
        except InvalidValueError as error:
            errors.append(FieldError(error.code, f"{_label(name)} {error.message}", (name,)))
            continue
        if cleaned is None and cleaner.required:
            errors.append(FieldError(ErrorCode.REQUIRED, f"{_label(name)} is required", (name,)))
            continue
        values.update(cleaner.columns(name, cleaned))
    if errors:
        raise UserInputError(errors)
    return values


async def _clean_value(cleaner: Cleaner, raw: Any, lookup: Lookup) -> Any:
    if raw is not None:
        return await cleaner.clean(raw, lookup)
    if cleaner.required or not cleaner.nullable:
        raise InvalidValueError("must not be null", ErrorCode.REQUIRED)
    return await cleaner.clean(None, lookup) if _cleans_null(cleaner) else None


def _cleans_null(cleaner: Cleaner) -> bool:
    # An address set to null still clears each of its columns.
    return type(cleaner).columns is not Cleaner.columns


def _label(name: str) -> str:
    return name.removesuffix("_id").replace("_", " ").capitalize()


async def ensure_unique(
    session: AsyncSession,
    model: type[Record],
    *,
    principal: Principal,
    column: InstrumentedAttribute[Any],
    value: Any,
    field: str,
    exclude_id: int | None = None,
) -> None:
    """A clear DUPLICATE error before the database's unique constraint would refuse the row."""
    statement = select(model.id).where(
        model.workspace_id == principal.workspace_id, column == value
    )
    if exclude_id is not None:
        statement = statement.where(model.id != exclude_id)
    if await session.scalar(statement.limit(1)) is not None:
        raise UserInputError.single(
            ErrorCode.DUPLICATE,
            f"Another {model.__name__} already has {_label(field).lower()} {value!r}.",
            (field,),
        )


def assign(record: RecordMixin, values: Mapping[str, Any]) -> None:
    for column, value in values.items():
        setattr(record, column, value)


async def create(
    session: AsyncSession,
    model: type[Record],
    *,
    principal: Principal,
    values: Mapping[str, Any],
    from_lead: bool = False,
) -> Record:
    """Insert a record; one with a lifecycle gets its initial stage and first history row."""
    created_at = values.get("created_at") or utcnow()
    record: Record = cast("Any", model)(
        workspace_id=principal.workspace_id,
        **{**values, "created_at": created_at, "updated_at": created_at},
    )
    tracked = model in lifecycle.LIFECYCLES
    if tracked:
        lifecycle.start(record, from_lead=from_lead)
    session.add(record)
    await session.flush()
    if tracked:
        cause = StageChangeCause.LEAD_CONVERSION if from_lead else StageChangeCause.CREATED
        await lifecycle.record_start(
            session, record, actor=principal, occurred_at=created_at, cause=cause
        )
    return record


def import_time(principal: Principal, data: Mapping[str, Any], field: str) -> datetime | None:
    """A past time a partner importing history gives (`createdAt`, `occurredAt`): ADMIN only."""
    moment: datetime | None = data.get(field)
    if moment is None:
        return None
    if principal.role is not ApiKeyRole.ADMIN:
        raise ForbiddenError(f"Only an ADMIN key may set {_camel(field)} (imports).")
    errors = lifecycle.check_import_time(moment, field)
    if errors:
        raise UserInputError(
            [FieldError(e.code, f"{_camel(field)} {e.message}", e.field) for e in errors]
        )
    return to_utc(moment)


def _camel(name: str) -> str:
    first, *rest = name.split("_")
    return first + "".join(part.capitalize() for part in rest)


async def set_archived(
    session: AsyncSession,
    model: type[Record],
    *,
    principal: Principal,
    global_id: str,
    expected_version: int | None,
    archived: bool,
) -> Record:
    """Archive or restore; doing either twice changes nothing (and keeps the version)."""
    record = await get_for_write(
        session,
        model,
        principal=principal,
        global_id=global_id,
        expected_version=expected_version,
        allow_archived=True,
    )
    if (record.archived_at is not None) != archived:
        record.archived_at = utcnow() if archived else None
        await session.flush()
    return record


Rule = Callable[[AsyncSession, Any, dict[str, Any]], Awaitable[None]]


async def create_from_input(
    session: AsyncSession,
    model: type[Record],
    spec: Spec,
    *,
    principal: Principal,
    data: Mapping[str, Any],
    rules: Sequence[Rule] = (),
) -> Record:
    """Validate `data` against `spec`, apply the domain's `rules`, insert the record.

    Each rule sees the record-to-be (None when creating) and the cleaned values, and may
    raise UserInputError or add derived values.
    """
    created_at = import_time(principal, data, "created_at")
    values = await clean_input(session, spec, data, principal=principal, creating=True)
    values["created_at"] = created_at or utcnow()
    for rule in rules:
        await rule(session, None, values)
    return await create(session, model, principal=principal, values=values)


async def update_from_input(
    session: AsyncSession,
    model: type[Record],
    spec: Spec,
    *,
    principal: Principal,
    global_id: str,
    expected_version: int | None,
    data: Mapping[str, Any],
    rules: Sequence[Rule] = (),
) -> Record:
    record = await get_for_write(
        session, model, principal=principal, global_id=global_id, expected_version=expected_version
    )
    values = await clean_input(session, spec, data, principal=principal, creating=False)
    for rule in rules:
        await rule(session, record, values)
    assign(record, values)
    await session.flush()
    return record


async def default_currency(session: AsyncSession, principal: Principal) -> str:
    workspace = await session.get(Workspace, principal.workspace_id)
    return workspace.default_currency if workspace else "USD"


def currency_defaults(principal: Principal) -> Rule:
    """A rule giving a new record the workspace's currency when the input names none."""

    async def rule(session: AsyncSession, record: Any, values: dict[str, Any]) -> None:
        if record is None and values.get("currency") is None:
            values["currency"] = await default_currency(session, principal)

    return rule


def effective(record: Any, values: Mapping[str, Any], column: str) -> Any:
    """The value `column` will have after this write: the new one if given, else the stored one."""
    if column in values:
        return values[column]
    return getattr(record, column) if record is not None else None
