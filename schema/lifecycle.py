"""The lifecycle over GraphQL: history (`StageChange`, `stageChanges`), transitions, per-record
history fields."""

from collections.abc import AsyncGenerator
from datetime import UTC, datetime
from enum import Enum
from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from db import enums
from db.models import Account as AccountModel
from db.models import ApiKey as ApiKeyModel
from resolvers import global_ids, lifecycle, stage_changes, transitions
from resolvers.errors import BadRequestError
from resolvers.pagination import build_page
from resolvers.stage_changes import ORDERING, TYPE_NAME_OF_ENTITY, HistoryFilter
from schema import live
from schema.errors import UserError
from schema.fields import reference
from schema.filters import OrderDirection
from schema.records import run_write
from schema.relay import Connection, Node, page_args
from schema.selection import record_columns

EntityType = strawberry.enum(enums.EntityType, description="Record types with a lifecycle.")
StageChangeCause = strawberry.enum(
    enums.StageChangeCause,
    description="Why a stage changed: CREATED (initial stage), MANUAL (a transition), or the "
    "event behind an automatic move.",
)


@strawberry.enum(description="Who made a change.")
class ActorKind(Enum):
    API_KEY = "API_KEY"
    USER = "USER"


@strawberry.type(description="Who made a change: the API key (or user) behind the request.")
class Actor:
    kind: ActorKind
    id: strawberry.ID
    name: str | None


@strawberry.type(description="One move of a record's stage or status. History is append-only.")
class StageChange(Node):
    entity_type: EntityType
    from_stage: str | None = strawberry.field(description="Null for the record's creation.")
    to_stage: str
    occurred_at: datetime
    recorded_at: datetime = strawberry.field(description="When the server wrote it.")
    reason: str | None
    cause: StageChangeCause

    @strawberry.field(description="Position in the history; pass it as `after` to resume.")
    def cursor(self) -> str:
        return ORDERING.encode_cursor(self)

    @strawberry.field(description="Global id of the record that moved.")
    def record_id(self) -> strawberry.ID:
        type_name = TYPE_NAME_OF_ENTITY[self.entity_type]
        return strawberry.ID(global_ids.encode(type_name, self.record_id))

    @strawberry.field(description="The record that moved.")
    async def record(self, info: Info) -> Node | None:
        model = lifecycle.MODELS_BY_ENTITY[self.entity_type]
        columns = record_columns(info, model.__name__)
        return await info.context.loaders.by_id(model, columns).load(self.record_id)

    account = reference(
        Annotated["Account", strawberry.lazy("schema.accounts")],
        AccountModel,
        "account_id",
        "The account the record belongs to (the record itself for an account).",
    )

    @strawberry.field
    async def actor(self, info: Info) -> Actor | None:
        if self.actor_api_key_id is None:
            return None
        key = await info.context.loaders.by_id(ApiKeyModel).load(self.actor_api_key_id)
        return Actor(
            kind=ActorKind.API_KEY,
            id=strawberry.ID(global_ids.encode("ApiKey", self.actor_api_key_id)),
            name=(key.name or key.prefix) if key else None,
        )

    @classmethod
    def is_type_of(cls, obj: Any, _info: Any) -> bool:
        return type(obj).__name__ == cls.__name__


@strawberry.type
class StageChangeConnection(Connection[StageChange]):
    pass


@strawberry.input(description="Which stage changes to list or receive; all given criteria hold.")
class StageChangeFilter:
    entity_types: list[EntityType] | None = None
    record_ids: list[strawberry.ID] | None = strawberry.field(
        default=None, description="Global ids of records with a lifecycle."
    )
    account_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="Changes of this account and of its contacts, opportunities and cases.",
    )
    to_stages: list[str] | None = strawberry.field(
        default=None, description="Target stages or statuses, e.g. CONVERSION, CLOSED_WON."
    )
    occurred_after: datetime | None = strawberry.field(default=None, description="Inclusive.")
    occurred_before: datetime | None = strawberry.field(default=None, description="Exclusive.")


def history_filter(filter: StageChangeFilter | None) -> HistoryFilter:
    if filter is None:
        return HistoryFilter()
    return HistoryFilter(
        entity_types=filter.entity_types or (),
        record_ids=filter.record_ids or (),
        account_id=filter.account_id,
        to_stages=filter.to_stages or (),
        occurred_after=filter.occurred_after,
        occurred_before=filter.occurred_before,
    )


@strawberry.enum(description="How the history can be sorted.")
class StageChangeOrderField(Enum):
    RECORDED = "RECORDED"
    OCCURRED_AT = "OCCURRED_AT"


@strawberry.input(description="RECORDED: the order changes were written (the default).")
class StageChangeOrder:
    field: StageChangeOrderField = StageChangeOrderField.RECORDED
    direction: OrderDirection = OrderDirection.ASC


@strawberry.type
class LifecycleQuery:
    @strawberry.field(
        description="The lifecycle history of the workspace, in the order it was recorded."
    )
    async def stage_changes(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
        filter: StageChangeFilter | None = None,
        order_by: list[StageChangeOrder] | None = None,
    ) -> StageChangeConnection:
        term = (order_by or [StageChangeOrder()])[0]
        if len(order_by or []) > 1:
            raise BadRequestError("stageChanges sorts by one field (RECORDED or OCCURRED_AT).")
        page = await stage_changes.list_(
            info.context.reads,
            principal=info.context.principal,
            args=page_args(first, after, last, before),
            history=history_filter(filter),
            by_occurrence=term.field is StageChangeOrderField.OCCURRED_AT,
            descending=term.direction is OrderDirection.DESC,
        )
        return Connection(page=page)


@strawberry.type
class LifecycleSubscription:
    @strawberry.subscription(
        description="Stage changes as they are committed. With `after` (a StageChange "
        "cursor), every later change from the history first, then live ones: none missed, "
        "none twice."
    )
    async def stage_changed(
        self, info: Info, filter: StageChangeFilter | None = None, after: str | None = None
    ) -> AsyncGenerator[StageChange, None]:
        changes = stage_changes.follow(
            info.context.reads,
            info.context.bus,
            principal=info.context.principal,
            history=history_filter(filter),
            after=after,
        )
        sink = live.current_sink.get()
        if sink is None:
            async for change in changes:
                yield change
            return
        # Over WebSocket: each change executed and encoded once for every subscriber of
        # the same shape, and written straight to the socket (schema/live.py).
        shape = sink.shape(info)
        async for change in changes:
            await sink.send_change(info, shape, change)


@strawberry.type
class LifecycleFields:
    """History fields of every record with a lifecycle."""

    @strawberry.field(description="This record's stage changes, in the order they were recorded.")
    async def stage_history(
        self,
        info: Info,
        first: int | None = None,
        after: str | None = None,
        last: int | None = None,
        before: str | None = None,
    ) -> StageChangeConnection:
        entity_type = lifecycle.lifecycle_of(self).entity_type
        args = page_args(first, after, last, before)
        rows = await info.context.loaders.stage_history(entity_type, args).load(self.id)
        history = HistoryFilter(record_ids=[global_ids.encode(type(self).__name__, self.id)])

        async def count() -> int:
            page = await stage_changes.list_(
                info.context.reads,
                principal=info.context.principal,
                args=page_args(0, None, None, None),
                history=history,
            )
            return await page.count()

        return Connection(page=build_page(ORDERING, args, rows, count))

    @strawberry.field(description="When the record entered its current stage.")
    async def entered_stage_at(self, info: Info) -> datetime | None:
        latest = await _latest_change(self, info)
        return latest.occurred_at if latest else None

    @strawberry.field(description="Seconds since the record entered its current stage.")
    async def time_in_stage_seconds(self, info: Info) -> int | None:
        latest = await _latest_change(self, info)
        if latest is None:
            return None
        return int((datetime.now(UTC) - latest.occurred_at).total_seconds())


async def _latest_change(record: Any, info: Info) -> Any:
    entity_type = lifecycle.lifecycle_of(record).entity_type
    return await info.context.loaders.latest_change(entity_type).load(record.id)


def _input_type(name: str, annotations: dict[str, Any], fields: dict[str, Any], doc: str) -> Any:
    namespace = {"__annotations__": annotations, "__module__": __name__, **fields}
    return strawberry.input(type(name, (), namespace), description=doc)


def transition_mutation(entity: str, model: type[Any], stage_type: Any, node_type: Any) -> Any:
    """`<entity>Transition`: move one record's stage through the lifecycle engine."""
    field_name = entity[0].lower() + entity[1:]
    annotations: dict[str, Any] = {
        "id": strawberry.ID,
        "to": stage_type,
        "reason": str | None,
        "expected_version": int | None,
        "occurred_at": datetime | None,
    }
    fields: dict[str, Any] = {
        "reason": strawberry.field(default=None, description="Required for backward moves."),
        "expected_version": strawberry.field(
            default=None, description="Refuse with VERSION_CONFLICT unless still at this version."
        ),
        "occurred_at": strawberry.field(
            default=None,
            description="For imports (ADMIN keys): when the move happened; not in the future "
            "and not before the record's latest change.",
        ),
    }
    if model is lifecycle.MODELS_BY_ENTITY[enums.EntityType.OPPORTUNITY]:
        annotations["lost_reason"] = str | None
        fields["lost_reason"] = strawberry.field(
            default=None, description="Required when moving to CLOSED_LOST."
        )
    input_type = _input_type(
        f"{entity}TransitionInput", annotations, fields, f"A move of a {entity}'s stage."
    )
    payload_type = strawberry.type(
        type(
            f"{entity}TransitionPayload",
            (),
            {
                "__annotations__": {
                    field_name: node_type | None,
                    "stage_change": StageChange | None,
                    "user_errors": list[UserError],
                },
                "__module__": __name__,
                field_name: strawberry.field(default=None),
                "stage_change": strawberry.field(
                    default=None, description="The history row; null when nothing moved."
                ),
                "user_errors": strawberry.field(default_factory=list),
            },
        )
    )

    async def resolve(info: Info, input: input_type) -> payload_type:  # type: ignore[valid-type]
        return await run_write(
            info,
            payload_type,
            field_name,
            transitions.move,
            fields=lambda result: {field_name: result[0], "stage_change": result[1]},
            writes_history=True,
            model=model,
            global_id=input.id,
            expected_version=input.expected_version,
            to=input.to,
            reason=input.reason,
            lost_reason=getattr(input, "lost_reason", None),
            occurred_at=input.occurred_at,
        )

    return strawberry.mutation(
        resolver=resolve,
        description=f"Move a {entity} to another stage, as the lifecycle rules allow.",
    )
