"""Helpers for GraphQL tests: run an operation, check a payload's outcome, serve the API in
its own process and talk to it over real sockets."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import websockets


async def execute(client: httpx.AsyncClient, query: str, **variables: Any) -> dict[str, Any]:
    """The full response body of one POSTed operation."""
    response = await client.post("/graphql", json={"query": query, "variables": variables})
    return dict(response.json())


async def gql(client: httpx.AsyncClient, query: str, **variables: Any) -> dict[str, Any]:
    """The `data` of an operation that must succeed without any top-level error."""
    response = await client.post("/graphql", json={"query": query, "variables": variables})
    body = response.json()
    assert response.status_code == 200, body
    assert "errors" not in body, body["errors"]
    return dict(body["data"])


def ok(payload: dict[str, Any]) -> dict[str, Any]:
    """The record of a mutation payload that must have no userErrors."""
    assert payload["userErrors"] == [], payload["userErrors"]
    records = [value for key, value in payload.items() if key != "userErrors"]
    assert len(records) == 1
    assert records[0] is not None
    return dict(records[0])


def refused(payload: dict[str, Any], code: str, field: list[str] | None = None) -> dict[str, Any]:
    """The first userError, which must have `code` (and `field`, when given)."""
    errors = payload["userErrors"]
    assert errors, f"expected a {code} user error, got {payload}"
    assert errors[0]["code"] == code, errors
    if field is not None:
        assert errors[0]["field"] == field, errors
    return dict(errors[0])


# Real API processes (uvicorn) and raw graphql-transport-ws clients on real sockets.

WS_PROTOCOL = "graphql-transport-ws"
STAGE_CHANGED = """
subscription($after: String) { stageChanged(after: $after) { id cursor recordId toStage } }
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Served:
    port: int
    process: subprocess.Popen[bytes]


@asynccontextmanager
async def uvicorn_process(database_url: str, **settings: object) -> AsyncIterator[Served]:
    """`uvicorn api.main:app` on a free port, with CRM_<SETTING> variables; stopped after."""
    env = {**os.environ, "CRM_DATABASE_URL": database_url}
    env.update({f"CRM_{name.upper()}": str(value) for name, value in settings.items()})
    port = free_port()
    command = [sys.executable, "-m", "uvicorn", "api.main:app", "--port", str(port)]
    process = subprocess.Popen([*command, "--log-level", "warning"], env=env)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                async with httpx.AsyncClient() as client:
                    if (await client.get(f"http://127.0.0.1:{port}/healthz")).status_code == 200:
                        break
            except httpx.TransportError:
                assert process.poll() is None, "the server exited"
                assert time.monotonic() < deadline, "the server did not start"
                await asyncio.sleep(0.2)
        yield Served(port, process)
    finally:
        if process.poll() is None:
            process.terminate()
            process.wait(timeout=10)


async def gql_at(port: int, key: str, query: str, **variables: object) -> dict[str, Any]:
    """The `data` of an operation POSTed to a served process; it must have no errors."""
    async with httpx.AsyncClient() as client:
        response = await client.post(
            f"http://127.0.0.1:{port}/graphql",
            json={"query": query, "variables": variables},
            headers={"Authorization": f"Bearer {key}"},
            timeout=30,
        )
    body = response.json()
    assert "errors" not in body, body
    return dict(body["data"])


async def ws_subscribe(
    port: int,
    key: str,
    *,
    query: str = STAGE_CHANGED,
    operation_id: str = "1",
    **connect: Any,
) -> Any:
    """A WebSocket to a served process, initialised, with one subscription started.
    Keyword arguments other than the query's variables go to `websockets.connect`."""
    variables = {name: connect.pop(name) for name in ("after", "filter") if name in connect}
    ws = await websockets.connect(
        f"ws://127.0.0.1:{port}/graphql", subprotocols=[WS_PROTOCOL], **connect
    )
    await ws.send(
        json.dumps({"type": "connection_init", "payload": {"authorization": f"Bearer {key}"}})
    )
    assert json.loads(await ws.recv())["type"] == "connection_ack"
    subscribe = {"query": query, "variables": variables}
    await ws.send(json.dumps({"id": operation_id, "type": "subscribe", "payload": subscribe}))
    return ws


async def next_message(ws: Any, timeout: float = 10) -> dict[str, Any]:
    """The next graphql-transport-ws message, answering the server's pings meanwhile."""
    while True:
        message = json.loads(await asyncio.wait_for(ws.recv(), timeout=timeout))
        if message["type"] != "ping":
            return dict(message)
        await ws.send(json.dumps({"type": "pong"}))


async def next_change(ws: Any, timeout: float = 10) -> dict[str, Any]:
    message = await next_message(ws, timeout)
    assert message["type"] == "next", message
    assert "errors" not in message["payload"], message
    return dict(message["payload"]["data"]["stageChanged"])


def gql_sync(client: Any, key: str, query: str, **variables: object) -> dict[str, Any]:
    """The `data` of an operation POSTed through Starlette's (blocking) test client; it
    must have no errors."""
    response = client.post(
        "/graphql",
        json={"query": query, "variables": variables},
        headers={"Authorization": f"Bearer {key}"},
    )
    body = response.json()
    assert "errors" not in body, body
    return dict(body["data"])
