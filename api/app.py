"""The ASGI application: /graphql (HTTP and WebSocket), /healthz, /readyz."""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.applications import Starlette
from starlette.datastructures import Headers, MutableHeaders
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route, WebSocketRoute
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.auth import Authenticator
from api.graphql_http import JSON, graphql_endpoint
from api.graphql_ws import WebSocketGraphQL, graphql_websocket
from api.settings import Settings
from api.shutdown import websockets_closed_first
from db.session import (
    asyncpg_dsn,
    is_sqlite,
    make_engine,
    make_read_session_factory,
    make_session_factory,
)
from resolvers.events import InProcessBus, PostgresBus

logger = logging.getLogger("crm.http")

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


async def healthz(_request: Request) -> Response:
    return JSONResponse({"status": "ok"})


async def readyz(request: Request) -> Response:
    try:
        # Through a read session: a connection that died in the pool is replaced, so only a
        # database that stays unreachable reports as such.
        async with request.app.state.reads() as session:
            await session.execute(text("SELECT 1"))
    except Exception:
        logger.exception("Readiness check failed: the database is unreachable")
        return JSONResponse({"status": "unavailable", "database": "unreachable"}, status_code=503)
    return JSONResponse({"status": "ok", "database": "reachable"})


class RequestContext:
    """Give every HTTP request an id (the client's X-Request-ID if sane), sent back in the
    response, and mask what escapes as a GraphQL error with that id.

    Plain ASGI: Starlette's BaseHTTPMiddleware runs each request in a task group of its
    own and streams the response through a queue, a cost every request pays."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = Headers(scope=scope).get("x-request-id", "")
        request_id = given if _REQUEST_ID.match(given) else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id  # request.state.request_id
        responded = False

        async def send_with_id(message: Message) -> None:
            nonlocal responded
            if message["type"] == "http.response.start":
                responded = True
                MutableHeaders(scope=message).append("X-Request-ID", request_id)
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            logger.exception("Unhandled error (request %s)", request_id)
            if responded:  # too late for another response: the connection is cut instead
                raise
            error = {
                "message": "Internal server error.",
                "extensions": {"code": "INTERNAL_SERVER_ERROR", "requestId": request_id},
            }
            response = JSONResponse(
                {"errors": [error]},
                status_code=500,
                media_type=JSON,
                headers={"X-Request-ID": request_id},
            )
            await response(scope, receive, send)


def create_app(settings: Settings | None = None, *, engine: AsyncEngine | None = None) -> Starlette:
    """The app; pass `engine` to share one (tests), else it is built from the settings."""
    settings = settings or Settings()
    owns_engine = engine is None
    engine = engine or make_engine(
        settings.database_url, pool_size=settings.db_pool_size, echo=settings.sql_echo
    )

    bus = (
        InProcessBus(queue_size=settings.subscriber_queue_size)
        if is_sqlite(settings.database_url)
        else PostgresBus(
            asyncpg_dsn(settings.database_url), queue_size=settings.subscriber_queue_size
        )
    )

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if isinstance(bus, PostgresBus):
            await bus.start()
        connections = app.state.websocket_view.connections
        with websockets_closed_first(connections, settings.ws_shutdown_timeout_seconds):
            yield
        # Servers that keep WebSockets open until the lifespan ends get the same clean close.
        await connections.close_all(settings.ws_shutdown_timeout_seconds)
        if isinstance(bus, PostgresBus):
            await bus.stop()
        if owns_engine:
            await engine.dispose()

    app = Starlette(
        routes=[
            Route("/graphql", graphql_endpoint, methods=["GET", "POST", "PUT", "PATCH", "DELETE"]),
            WebSocketRoute("/graphql", graphql_websocket),
            Route("/healthz", healthz),
            Route("/readyz", readyz),
        ],
        lifespan=lifespan,
    )
    app.add_middleware(RequestContext)
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessions = make_session_factory(engine)
    app.state.reads = make_read_session_factory(engine)
    app.state.authenticate = Authenticator(app.state.reads, settings.auth_cache_seconds)
    app.state.bus = bus
    app.state.websocket_view = WebSocketGraphQL(
        init_timeout_seconds=settings.ws_init_timeout_seconds,
        max_subscriptions=settings.ws_max_subscriptions,
        ping_interval_seconds=settings.ws_ping_interval_seconds,
        pong_timeout_seconds=settings.ws_pong_timeout_seconds,
        max_connections_per_key=settings.ws_max_connections_per_key,
    )
    return app
