"""GraphQL over WebSocket (`graphql-transport-ws` only), authenticated in `connection_init`.

The legacy `graphql-ws` subprotocol stays off: it has a history of authentication and
memory bugs. The API key travels as `{"authorization": "Bearer <key>"}` in the
connection_init payload; a missing or unknown key closes the socket with 4403.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.exceptions import ConnectionRejectionError
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL

from api.auth import authenticate
from schema.context import Context, Loaders
from schema.root import schema


@dataclass
class WebSocketContext(Context):  # type: ignore[misc]  # schema/ is not type-checked
    connection_params: dict[str, Any] = field(default_factory=dict)


class WebSocketGraphQL(GraphQL[WebSocketContext, None]):
    async def get_context(self, request: Any, response: Any) -> WebSocketContext:
        state = request.app.state
        return WebSocketContext(
            principal=None,  # set once connection_init authenticates
            sessions=state.sessions,
            request_id=request.scope.get("request_id", "ws"),
            loaders=None,
        )

    async def on_ws_connect(self, context: WebSocketContext) -> None:
        authorization = context.connection_params.get("authorization")
        principal = await authenticate(
            context.sessions, authorization if isinstance(authorization, str) else None
        )
        if principal is None:
            raise ConnectionRejectionError({"message": "A valid API key is required."})
        context.principal = principal
        context.loaders = Loaders(sessions=context.sessions, principal=principal)


_view = WebSocketGraphQL(
    schema,
    graphql_ide=None,
    subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
    connection_init_wait_timeout=timedelta(seconds=10),
    max_subscriptions_per_connection=20,
)


async def graphql_websocket(websocket: WebSocket) -> None:
    await _view.run(websocket)
