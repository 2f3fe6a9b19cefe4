"""Stage changes delivered to many subscribers at the cost of a few.

A change that 10,000 subscribers receive used to be executed, wrapped in the schema
extensions, and JSON-encoded 10,000 times, once per subscriber: 3-5 s of one core. Most
subscribers share their selection (one frontend, one integration), so the result is the
same for all of them. Here the selection is executed and encoded once per *shape* (the
document, its variables, the workspace and the role: everything a result can depend on)
and per change; each subscriber then only prefixes its operation id and writes the text.

The transport opts in by setting `current_sink` for the operation's task
(`api.graphql_ws`); without a sink (other transports, tests executing the schema
directly) the subscription yields its changes through the ordinary GraphQL execution.
"""

from __future__ import annotations

import asyncio
import dataclasses
import uuid
from collections.abc import Awaitable, Callable, Hashable
from contextvars import ContextVar
from dataclasses import dataclass
from inspect import isawaitable
from typing import Any

import orjson
from cachetools import LRUCache
from graphql import DocumentNode, ExecutionResult, execute
from strawberry.types import Info

from schema.context import Loaders
from schema.extensions import presented_errors


class SharedPayloads:
    """The `next` payloads of recent changes, per shape, of one app's subscribers.

    Changes are asked for within moments of each other by all subscribers of a shape, so
    a small cache serves them; a subscriber far behind recomputes, with the same result.
    """

    def __init__(self, maxsize: int = 4096) -> None:
        self._tasks: LRUCache[Hashable, asyncio.Task[str]] = LRUCache(maxsize=maxsize)

    async def payload(self, info: Info, sink: LiveSink, shape: Hashable, row: Any) -> str:
        """The payload for one change, as JSON: executed once per shape and change."""
        key = (shape, row.id)
        task = self._tasks.get(key)
        if task is None or (task.done() and task.exception() is not None):
            task = asyncio.ensure_future(_execute(info, sink, row))
            self._tasks[key] = task
        # Shielded: a subscriber that leaves mid-execution must not cancel it for others.
        return await asyncio.shield(task)


@dataclass(frozen=True, slots=True)
class LiveSink:
    """Where one subscription operation's messages go, written as they are."""

    operation_id: str
    query: str
    variables: dict[str, Any] | None
    operation_name: str | None
    send_text: Callable[[str], Awaitable[None]]
    shared: SharedPayloads

    def shape(self, info: Info) -> Hashable:
        """What the result of executing this subscription's selection depends on."""
        principal = info.context.principal
        variables = orjson.dumps(self.variables or {}, option=orjson.OPT_SORT_KEYS)
        return (self.query, self.operation_name, variables, principal.workspace_id, principal.role)

    async def send_change(self, info: Info, shape: Hashable, row: Any) -> None:
        payload = await self.shared.payload(info, self, shape, row)
        # The id is JSON-encoded; the payload is JSON already.
        operation_id = orjson.dumps(self.operation_id).decode()
        await self.send_text(f'{{"id":{operation_id},"type":"next","payload":{payload}}}')


current_sink: ContextVar[LiveSink | None] = ContextVar("current_sink", default=None)


async def _execute(info: Info, sink: LiveSink, row: Any) -> str:
    # graphql-core's own info: Strawberry's exposes neither the fragments nor its schema.
    raw = info._raw_info  # noqa: SLF001
    document = DocumentNode(definitions=(raw.operation, *raw.fragments.values()))
    # A fresh request scope: loaders cache per request, and a change is one request.
    context = dataclasses.replace(
        info.context,
        request_id=uuid.uuid4().hex,
        loaders=Loaders(sessions=info.context.reads, principal=info.context.principal),
        selections={},
    )
    result = execute(
        raw.schema,
        document,
        root_value=row,
        context_value=context,
        variable_values=sink.variables,
        operation_name=sink.operation_name,
    )
    if isawaitable(result):
        result = await result
    assert isinstance(result, ExecutionResult)
    payload: dict[str, Any] = {"data": result.data}
    if result.errors:
        errors = presented_errors(result.errors, context.request_id)
        payload["errors"] = [error.formatted for error in errors]
    return orjson.dumps(payload).decode()
