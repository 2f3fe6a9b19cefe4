"""GraphQL over WebSocket (graphql-transport-ws): authentication in connection_init."""

from __future__ import annotations

import asyncio
import time
from contextlib import ExitStack

import pytest
from starlette.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from api.app import create_app
from api.settings import Settings
from db.migrate import upgrade_to_head
from db.session import make_engine
from tests.conftest import make_tenant

PROTOCOL = "graphql-transport-ws"
QUERY = "{ accounts { totalCount } }"


@pytest.fixture
async def ws_app(tmp_path):
    """An app of its own: the test client runs it on another event loop and thread."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'ws.db'}"
    engine = make_engine(url)
    await upgrade_to_head(engine)
    tenant = await make_tenant(engine)
    await engine.dispose()
    return create_app(Settings(database_url=url)), tenant.key


def run_in_thread(function):
    return asyncio.to_thread(function)


async def test_a_valid_key_in_connection_init_is_acknowledged_and_queries_run(ws_app):
    app, key = ws_app

    def talk():
        with (
            TestClient(app) as client,
            client.websocket_connect("/graphql", subprotocols=[PROTOCOL]) as ws,
        ):
            ws.send_json({"type": "connection_init", "payload": {"authorization": f"Bearer {key}"}})
            assert ws.receive_json() == {"type": "connection_ack"}
            ws.send_json({"id": "1", "type": "subscribe", "payload": {"query": QUERY}})
            return ws.receive_json(), ws.receive_json()

    result, complete = await run_in_thread(talk)
    assert result == {
        "id": "1",
        "type": "next",
        "payload": {"data": {"accounts": {"totalCount": 0}}},
    }
    assert complete == {"id": "1", "type": "complete"}


async def test_a_key_on_the_handshake_also_authenticates(ws_app):
    app, key = ws_app

    def talk():
        with (
            TestClient(app) as client,
            client.websocket_connect(
                "/graphql", subprotocols=[PROTOCOL], headers={"Authorization": f"Bearer {key}"}
            ) as ws,
        ):
            ws.send_json({"type": "connection_init"})
            return ws.receive_json()

    assert await run_in_thread(talk) == {"type": "connection_ack"}


@pytest.mark.parametrize(
    "payload", [{}, {"authorization": "Bearer crm_wrong"}, {"authorization": 42}]
)
async def test_a_missing_or_bad_key_closes_with_4403(ws_app, payload):
    app, _key = ws_app

    def talk():
        with (
            TestClient(app) as client,
            client.websocket_connect("/graphql", subprotocols=[PROTOCOL]) as ws,
        ):
            ws.send_json({"type": "connection_init", "payload": payload})
            with pytest.raises(WebSocketDisconnect) as closed:
                ws.receive_json()
            return closed.value.code

    assert await run_in_thread(talk) == 4403


async def test_subscribe_before_init_closes_with_4401(ws_app):
    app, _key = ws_app

    def talk():
        with (
            TestClient(app) as client,
            client.websocket_connect("/graphql", subprotocols=[PROTOCOL]) as ws,
        ):
            ws.send_json({"id": "1", "type": "subscribe", "payload": {"query": QUERY}})
            with pytest.raises(WebSocketDisconnect) as closed:
                ws.receive_json()
            return closed.value.code

    assert await run_in_thread(talk) == 4401


async def test_the_legacy_graphql_ws_protocol_is_refused(ws_app):
    app, _key = ws_app

    def talk():
        with (
            TestClient(app) as client,
            client.websocket_connect("/graphql", subprotocols=["graphql-ws"]) as ws,
        ):
            with pytest.raises(WebSocketDisconnect) as closed:
                ws.receive_json()
            return closed.value.code

    assert await run_in_thread(talk) == 4406


async def test_a_connection_that_never_initialises_is_closed(tmp_path):
    url = f"sqlite+aiosqlite:///{tmp_path / 'idle.db'}"
    engine = make_engine(url)
    await upgrade_to_head(engine)
    await engine.dispose()
    app = create_app(Settings(database_url=url, ws_init_timeout_seconds=0.2))

    def talk():
        with TestClient(app) as client, client.websocket_connect("/graphql", subprotocols=[PROTOCOL]) as ws:
            with pytest.raises(WebSocketDisconnect) as closed:
                ws.receive_json()
            return closed.value.code

    assert await run_in_thread(talk) == 4408


def connect_init(sockets: ExitStack, client, key):
    """A socket (closed with `sockets`) that has sent its connection_init."""
    ws = sockets.enter_context(client.websocket_connect("/graphql", subprotocols=[PROTOCOL]))
    ws.send_json({"type": "connection_init", "payload": {"authorization": f"Bearer {key}"}})
    return ws


async def keeping_alive_app(tmp_path, **settings):
    url = f"sqlite+aiosqlite:///{tmp_path / 'alive.db'}"
    engine = make_engine(url)
    await upgrade_to_head(engine)
    tenant, other = await make_tenant(engine), await make_tenant(engine)
    await engine.dispose()
    return create_app(Settings(database_url=url, **settings)), tenant, other


async def test_a_peer_that_never_answers_pings_is_dropped_with_its_subscriptions(tmp_path):
    app, tenant, _ = await keeping_alive_app(
        tmp_path, ws_ping_interval_seconds=0.1, ws_pong_timeout_seconds=0.3
    )

    def talk():
        with TestClient(app) as client, ExitStack() as sockets:
            ws = connect_init(sockets, client, tenant.key)
            assert ws.receive_json() == {"type": "connection_ack"}
            ws.send_json(
                {"id": "s", "type": "subscribe", "payload": {"query": "subscription { stageChanged { id } }"}}
            )
            assert ws.receive_json() == {"type": "ping"}
            # No pong: the next thing this peer hears is the close.
            with pytest.raises(WebSocketDisconnect) as closed:
                ws.receive_json()
            return closed.value.code, closed.value.reason, app.state.bus._subscriptions

    code, reason, subscriptions = await run_in_thread(talk)
    assert (code, reason) == (4408, "Pong timeout")
    assert not subscriptions, "the dropped peer's subscription still receives events"


async def test_a_peer_that_answers_pings_stays_connected(tmp_path):
    app, tenant, _ = await keeping_alive_app(
        tmp_path, ws_ping_interval_seconds=0.1, ws_pong_timeout_seconds=0.3
    )

    def talk():
        with TestClient(app) as client, ExitStack() as sockets:
            ws = connect_init(sockets, client, tenant.key)
            assert ws.receive_json() == {"type": "connection_ack"}
            pings = 0
            while pings < 8:  # well past several pong timeouts
                assert ws.receive_json() == {"type": "ping"}
                ws.send_json({"type": "pong"})
                pings += 1
            ws.send_json({"id": "1", "type": "subscribe", "payload": {"query": QUERY}})
            while (message := ws.receive_json())["type"] == "ping":
                ws.send_json({"type": "pong"})
            return message

    result = await run_in_thread(talk)
    assert result == {"id": "1", "type": "next", "payload": {"data": {"accounts": {"totalCount": 0}}}}


async def test_connections_per_key_are_capped_and_released_on_disconnect(tmp_path):
    app, tenant, other = await keeping_alive_app(tmp_path, ws_max_connections_per_key=2)
    connections = app.state.websocket_view.connections

    def talk():
        with TestClient(app) as client, ExitStack() as sockets:
            first = connect_init(sockets, client, tenant.key)
            second = connect_init(sockets, client, tenant.key)
            assert first.receive_json() == second.receive_json() == {"type": "connection_ack"}
            third = connect_init(sockets, client, tenant.key)
            with pytest.raises(WebSocketDisconnect) as refused:
                third.receive_json()
            # Another key has a cap of its own.
            theirs = connect_init(sockets, client, other.key)
            assert theirs.receive_json() == {"type": "connection_ack"}

            first.close()
            deadline = time.monotonic() + 10
            while connections.open_for(tenant.principal) > 1:
                assert time.monotonic() < deadline, "a closed connection is still counted"
                time.sleep(0.02)
            fourth = connect_init(sockets, client, tenant.key)
            return refused.value.code, refused.value.reason, fourth.receive_json()

    code, reason, fourth = await run_in_thread(talk)
    assert (code, reason) == (4429, "Too many connections")
    assert fourth == {"type": "connection_ack"}
    assert connections.open_for(tenant.principal) == 0
