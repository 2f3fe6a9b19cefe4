"""GraphQL over WebSocket (`graphql-transport-ws` only), authenticated in `connection_init`.

The legacy `graphql-ws` subprotocol stays off: it has a history of authentication and
memory bugs. The API key travels as `{"authorization": "Bearer <key>"}` in the
connection_init payload; a missing or unknown key closes the socket with 4403.

Beyond what Strawberry's handler does, this edge:
- pings every peer and closes one that does not answer with a pong in time (4408), so a
  vanished client does not hold its subscriptions (and their queues) forever;
- caps the open connections of one API key in this process (4429 "Too many connections");
- ends a subscription whose event stream failed (a slow consumer cut off, a bad cursor)
  with one `error` message, the protocol's terminal message for a failed operation;
- on shutdown, completes every open operation and closes with 1001 "going away".
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections import Counter
from collections.abc import AsyncGenerator, AsyncIterator, Hashable
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial
from typing import Any, cast

from starlette.websockets import WebSocket, WebSocketDisconnect
from strawberry.asgi import ASGIWebSocketAdapter, GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.http.exceptions import WebSocketDisconnected
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.subscriptions.protocols.graphql_transport_ws.handlers import (
    BaseGraphQLTransportWSHandler,
    Operation,
)
from strawberry.subscriptions.protocols.graphql_transport_ws.types import (
    ConnectionInitMessage,
    PongMessage,
)
from strawberry.types.execution import ExecutionResult, PreExecutionError
from strawberry.types.unset import UNSET

from resolvers.principal import Principal
from schema import live
from schema.context import Context, Loaders
from schema.root import schema

logger = logging.getLogger("crm.ws")

# Close codes of this server, besides the protocol's own (4400, 4401, 4403, 4406, 4409).
PONG_TIMEOUT = (4408, "Pong timeout")
TOO_MANY_CONNECTIONS = (4429, "Too many connections")
GOING_AWAY = (1001, "Server shutting down")


@dataclass
class WebSocketContext(Context):  # type: ignore[misc]  # schema/ is not type-checked
    connection_params: dict[str, Any] = field(default_factory=dict)
    # Clients that can set headers on the handshake may authenticate there instead.
    handshake_authorization: str | None = None
    authenticate: Any = None
    # The key this connection counts against once admitted (released on disconnect).
    admitted_as: Hashable | None = None


class TooManyConnectionsError(Exception):
    """The API key already has as many open connections as this process allows it."""


class Connections:
    """This process's open GraphQL WebSocket connections: counted per API key for the cap,
    and listed to be closed cleanly on shutdown. Counted per process: with N processes
    behind a load balancer, one key may hold up to N times the cap."""

    def __init__(self, max_per_key: int) -> None:
        self.max_per_key = max_per_key
        self.closing = False
        self._per_key: Counter[Hashable] = Counter()
        self._handlers: set[TransportWSHandler] = set()

    @staticmethod
    def key_of(principal: Principal) -> Hashable:
        return principal.api_key_id or ("workspace", principal.workspace_id)

    def admit(self, principal: Principal) -> Hashable:
        key = self.key_of(principal)
        if self._per_key[key] >= self.max_per_key:
            raise TooManyConnectionsError
        self._per_key[key] += 1
        return key

    def release(self, key: Hashable) -> None:
        self._per_key[key] -= 1
        if self._per_key[key] <= 0:
            del self._per_key[key]

    def open_for(self, principal: Principal) -> int:
        return self._per_key[self.key_of(principal)]

    def add(self, handler: TransportWSHandler) -> None:
        self._handlers.add(handler)

    def discard(self, handler: TransportWSHandler) -> None:
        self._handlers.discard(handler)

    async def close_all(self, timeout_seconds: float) -> None:
        """Complete every operation and close every socket with 1001; refuse new ones."""
        self.closing = True
        handlers = list(self._handlers)
        if handlers:
            logger.info("Closing %d WebSocket connection(s) for shutdown", len(handlers))
            await asyncio.gather(*(handler.go_away(timeout_seconds) for handler in handlers))


class TransportWSHandler(BaseGraphQLTransportWSHandler[WebSocketContext, None]):
    view: WebSocketGraphQL

    async def handle(self) -> None:
        connections = self.view.connections
        if connections.closing:
            await self._close(*GOING_AWAY)
            return
        connections.add(self)
        self._pong = asyncio.Event()
        keep_alive = asyncio.create_task(self._keep_alive())
        try:
            await super().handle()
        finally:
            keep_alive.cancel()
            connections.discard(self)
            if self.context.admitted_as is not None:
                connections.release(self.context.admitted_as)
                self.context.admitted_as = None

    async def handle_connection_init(self, message: ConnectionInitMessage) -> None:
        try:
            await super().handle_connection_init(message)
        except TooManyConnectionsError:
            await self._close(*TOO_MANY_CONNECTIONS)

    async def handle_pong(self, message: PongMessage) -> None:
        self._pong.set()

    async def _keep_alive(self) -> None:
        """Ping every interval; a peer that does not pong within the timeout is dropped."""
        interval, timeout = self.view.ping_interval_seconds, self.view.pong_timeout_seconds
        while True:
            await asyncio.sleep(interval)
            self._pong.clear()
            try:
                # Sending is inside the timeout too: a peer that stopped reading blocks it.
                async with asyncio.timeout(timeout):
                    await self.send_message({"type": "ping"})
                    await self._pong.wait()
            except TimeoutError:
                logger.info("Closing a WebSocket that did not answer a ping in %s s", timeout)
                for operation_id in list(self.operations):
                    await self.cleanup_operation(operation_id)
                await self._close(*PONG_TIMEOUT, timeout_seconds=timeout)
                return
            except Exception:  # the socket went away meanwhile: the handler cleans up
                return

    async def run_operation(self, operation: Operation[WebSocketContext, None]) -> None:
        # The operation's task (and the subscription's event stream within it) writes
        # shared, already encoded changes through this sink: see schema/live.py.
        live.current_sink.set(
            live.LiveSink(
                operation_id=operation.id,
                query=operation.query,
                variables=operation.variables,
                operation_name=operation.operation_name,
                send_text=partial(self._send_text, operation),
                shared=self.view.shared_payloads,
            )
        )
        await super().run_operation(operation)

    async def _send_text(self, operation: Operation[WebSocketContext, None], text: str) -> None:
        if operation.completed:  # nothing may follow an operation's `complete` or `error`
            return
        try:
            await cast("ASGIWebSocketAdapter", self.websocket).ws.send_text(text)
        except WebSocketDisconnect as error:
            raise WebSocketDisconnected from error

    async def _send_result_stream(
        self, operation: Operation[WebSocketContext, None], result_source: Any
    ) -> None:
        await super()._send_result_stream(operation, _until_failed(operation, result_source))

    async def go_away(self, timeout_seconds: float) -> None:
        """Shutdown: `complete` for each open operation, then close with 1001."""
        with suppress(Exception):
            async with asyncio.timeout(timeout_seconds):
                for operation in list(self.operations.values()):
                    if operation.task is not None:
                        operation.task.cancel()  # nothing more follows its `complete`
                    await operation.send_operation_message({"id": operation.id, "type": "complete"})
        await self._close(*GOING_AWAY, timeout_seconds=timeout_seconds)

    async def _close(self, code: int, reason: str, *, timeout_seconds: float = 5.0) -> None:
        # Already closed (the peer left first) or unwritable (the peer stopped reading):
        # either way there is nothing more to say to it.
        with suppress(Exception):
            async with asyncio.timeout(timeout_seconds):
                await self.websocket.close(code=code, reason=reason)


def _failed_stream(result: Any) -> bool:
    """A result that reports the event stream itself failing (no field path): the last one."""
    return (
        isinstance(result, ExecutionResult)
        and not isinstance(result, PreExecutionError)
        and result.data is None
        and bool(result.errors)
        and all(error.path is None for error in result.errors or ())
    )


async def _until_failed(
    operation: Operation[WebSocketContext, None], results: AsyncIterator[Any]
) -> AsyncGenerator[Any, None]:
    """Results as they come, but a failure of the stream as the operation's `error`."""
    async for result in results:
        if _failed_stream(result):
            await operation.send_initial_errors(result.errors)
            return
        yield result


class WebSocketGraphQL(GraphQL[WebSocketContext, None]):
    graphql_transport_ws_handler_class = TransportWSHandler

    def __init__(
        self,
        *,
        init_timeout_seconds: float,
        max_subscriptions: int,
        ping_interval_seconds: float,
        pong_timeout_seconds: float,
        max_connections_per_key: int,
    ) -> None:
        super().__init__(
            schema,
            graphql_ide=None,
            subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
            connection_init_wait_timeout=timedelta(seconds=init_timeout_seconds),
            max_subscriptions_per_connection=max_subscriptions,
        )
        self.ping_interval_seconds = ping_interval_seconds
        self.pong_timeout_seconds = pong_timeout_seconds
        self.connections = Connections(max_connections_per_key)
        self.shared_payloads = live.SharedPayloads()

    async def get_context(self, request: Any, response: Any) -> WebSocketContext:
        state = request.app.state
        return WebSocketContext(
            principal=None,  # set once connection_init authenticates
            sessions=state.sessions,
            reads=state.reads,
            request_id=uuid.uuid4().hex,
            loaders=None,
            handshake_authorization=request.headers.get("authorization"),
            authenticate=state.authenticate,
            bus=state.bus,
        )

    async def on_ws_connect(self, context: WebSocketContext) -> Any:
        authorization = context.connection_params.get("authorization")
        if not isinstance(authorization, str):
            authorization = context.handshake_authorization
        principal = await context.authenticate(authorization)
        if principal is None:
            raise ConnectionRejectionError({"message": "A valid API key is required."})
        context.admitted_as = self.connections.admit(principal)
        context.principal = principal
        context.loaders = Loaders(sessions=context.reads, principal=principal)
        return UNSET


async def graphql_websocket(websocket: WebSocket) -> None:
    await websocket.app.state.websocket_view.run(websocket)
