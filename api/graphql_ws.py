"""GraphQL over WebSocket (`graphql-transport-ws` only), authenticated in `connection_init`.

The legacy `graphql-ws` subprotocol stays off: it has a history of authentication and
memory bugs. The API key travels as `{"authorization": "Bearer <key>"}` in the
connection_init payload; a missing or unknown key closes the socket with 4403.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.types.unset import UNSET

from schema.context import Context, Loaders
from schema.root import schema


@dataclass
class WebSocketContext(Context):  # type: ignore[misc]  # schema/ is not type-checked
    connection_params: dict[str, Any] = field(default_factory=dict)
    # Clients that can set headers on the handshake may authenticate there instead.
    handshake_authorization: str | None = None
    authenticate: Any = None


class WebSocketGraphQL(GraphQL[WebSocketContext, None]):
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
        context.principal = principal
        context.loaders = Loaders(sessions=context.reads, principal=principal)
        return UNSET


def websocket_view(*, init_timeout_seconds: float, max_subscriptions: int) -> WebSocketGraphQL:
    return WebSocketGraphQL(
        schema,
        graphql_ide=None,
        subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
        connection_init_wait_timeout=timedelta(seconds=init_timeout_seconds),
        max_subscriptions_per_connection=max_subscriptions,
    )


async def graphql_websocket(websocket: WebSocket) -> None:
    await websocket.app.state.websocket_view.run(websocket)
