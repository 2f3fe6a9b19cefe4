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
from collections import Counter
from collections.abc import Awaitable, Callable, Hashable
from contextvars import ContextVar
from dataclasses import dataclass
from functools import cached_property, partial
from inspect import isawaitable
from typing import Any

import orjson
from cachetools import LRUCache
from graphql import DocumentNode, ExecutionResult, Node, VariableNode, Visitor, execute, visit
from strawberry.types import Info

from schema.context import Loaders
from schema.extensions import presented_errors


class SharedPayloads:
    """The `next` payloads of recent changes, per shape, of one app's subscribers.

    Changes are asked for within moments of each other by all subscribers of a shape, so
    a small cache serves them; a subscriber far behind recomputes, with the same result.
    """

    def __init__(self, maxsize: int = 4096) -> None:
        self._payloads: LRUCache[Hashable, str | asyncio.Future[str]] = LRUCache(maxsize)

    async def payload(self, info: Info, sink: LiveSink, shape: Hashable, row: Any) -> str:
        """The payload for one change, as JSON: executed once per shape and change."""
        key = (shape, row.id)
        known = self._payloads.get(key)
        if isinstance(known, str):
            return known  # the usual case: another subscriber asked first
        if known is None or (known.done() and known.exception() is not None):
            # A selection of the change's own fields executes without waiting for
            # anything: then every other subscriber finds the text here on its first look.
            execution = _execute(info, sink, row)
            if isinstance(execution, str):
                self._payloads[key] = execution
                return execution
            known = self._payloads[key] = asyncio.ensure_future(execution)
            known.add_done_callback(partial(self._settle, key))
        # Shielded: a subscriber that leaves mid-execution must not cancel it for others.
        return await asyncio.shield(known)

    def _settle(self, key: Hashable, done: asyncio.Future[str]) -> None:
        if not done.cancelled() and done.exception() is None and key in self._payloads:
            self._payloads[key] = done.result()


@dataclass(frozen=True)
class LiveSink:
    """Where one subscription operation's messages go, written as they are."""

    operation_id: str
    query: str
    variables: dict[str, Any] | None
    operation_name: str | None
    send_text: Callable[[str], Awaitable[None]]
    shared: SharedPayloads

    def shape(self, info: Info) -> Hashable:
        """What the result of executing this subscription's selection depends on.

        Not the root field's arguments (`filter`, `after`): they choose which changes a
        subscriber receives, not what a change looks like. Clients resuming with their own
        `after` cursors therefore still share one execution per change."""
        principal = info.context.principal
        choosing_only = _root_argument_variables(info)
        selection_only = {
            name: value
            for name, value in (self.variables or {}).items()
            if name not in choosing_only
        }
        variables = orjson.dumps(selection_only, option=orjson.OPT_SORT_KEYS)
        return (self.query, self.operation_name, variables, principal.workspace_id, principal.role)

    async def send_change(self, info: Info, shape: Hashable, row: Any) -> None:
        payload = await self.shared.payload(info, self, shape, row)
        await self.send_text(f"{self.next_prefix}{payload}}}")

    @cached_property
    def next_prefix(self) -> str:
        """A `next` message of this operation up to its payload (the id JSON-encoded)."""
        return f'{{"id":{orjson.dumps(self.operation_id).decode()},"type":"next","payload":'


def _root_argument_variables(info: Info) -> set[str]:
    """Variables used in the root field's arguments and nowhere else in the document."""
    raw = info._raw_info  # noqa: SLF001  (see _execute)
    in_arguments = Counter(
        node.name.value
        for field_node in raw.field_nodes
        for argument in field_node.arguments or ()  # None when the field has none
        for node in _variables_in(argument.value)
    )
    everywhere = Counter(
        node.name.value
        for definition in (raw.operation, *raw.fragments.values())
        for node in _variables_in(definition.selection_set)
    )
    return {name for name, count in in_arguments.items() if everywhere[name] == count}


def _variables_in(node: Node) -> list[VariableNode]:
    found: list[VariableNode] = []

    class Collect(Visitor):
        def enter_variable(self, variable: VariableNode, *_: Any) -> None:
            found.append(variable)

    visit(node, Collect())
    return found


current_sink: ContextVar[LiveSink | None] = ContextVar("current_sink", default=None)


def _execute(info: Info, sink: LiveSink, row: Any) -> str | Awaitable[str]:
    """The payload of one change: at once, or awaitable when a field must wait (for the
    database, say)."""
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
        return _encoded_later(result, context.request_id)
    return _encoded(result, context.request_id)


async def _encoded_later(result: Awaitable[ExecutionResult], request_id: str) -> str:
    return _encoded(await result, request_id)


def _encoded(result: ExecutionResult, request_id: str) -> str:
    payload: dict[str, Any] = {"data": result.data}
    if result.errors:
        errors = presented_errors(result.errors, request_id)
        payload["errors"] = [error.formatted for error in errors]
    return orjson.dumps(payload).decode()
