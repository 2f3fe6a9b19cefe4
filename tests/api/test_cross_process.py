"""Two API processes on one PostgreSQL: a change made through one reaches subscribers of
the other (NOTIFY in the committing transaction, one LISTEN connection per process)."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import time

import httpx
import pytest
import websockets

from tests.conftest import make_tenant

SUBSCRIBE = """
subscription($after: String) { stageChanged(after: $after) { id cursor recordId toStage } }
"""
CREATE = "mutation($n: String!) { accountCreate(input: {name: $n}) { account { id } } }"
MOVE = """
mutation($id: ID!, $to: LifecycleStage!) { accountTransition(input: {id: $id, to: $to}) { userErrors { code } } }
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
async def two_processes(database_url, engine):
    if not database_url.startswith("postgresql"):
        pytest.skip("several processes share a PostgreSQL database")
    tenant = await make_tenant(engine)
    env = {**os.environ, "CRM_DATABASE_URL": database_url}
    ports = [free_port(), free_port()]
    servers = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "api.main:app",
                "--port",
                str(port),
                "--log-level",
                "warning",
            ],
            env=env,
        )
        for port in ports
    ]
    try:
        deadline = time.monotonic() + 30
        for port in ports:
            while True:
                try:
                    if httpx.get(f"http://127.0.0.1:{port}/healthz").status_code == 200:
                        break
                except httpx.TransportError:
                    assert time.monotonic() < deadline, "server did not start"
                    await asyncio.sleep(0.2)
        yield tenant.key, ports
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=10)


async def gql(port: int, key: str, query: str, **variables: object) -> dict:
    async with httpx.AsyncClient() as client:
        response = await client.post(
            f"http://127.0.0.1:{port}/graphql",
            json={"query": query, "variables": variables},
            headers={"Authorization": f"Bearer {key}"},
        )
    body = response.json()
    assert "errors" not in body, body
    return body["data"]


async def subscribe(port: int, key: str, after: str | None = None):
    ws = await websockets.connect(
        f"ws://127.0.0.1:{port}/graphql", subprotocols=["graphql-transport-ws"]
    )
    await ws.send(
        json.dumps({"type": "connection_init", "payload": {"authorization": f"Bearer {key}"}})
    )
    assert json.loads(await ws.recv())["type"] == "connection_ack"
    await ws.send(
        json.dumps(
            {
                "id": "1",
                "type": "subscribe",
                "payload": {"query": SUBSCRIBE, "variables": {"after": after}},
            }
        )
    )
    return ws


async def next_change(ws) -> dict:
    message = json.loads(await asyncio.wait_for(ws.recv(), timeout=10))
    assert message["type"] == "next", message
    return message["payload"]["data"]["stageChanged"]


async def test_a_change_through_one_process_reaches_the_other_once(two_processes):
    key, (first, second) = two_processes
    ws = await subscribe(second, key)
    try:
        await asyncio.sleep(0.3)  # the subscription is registered
        account = (await gql(first, key, CREATE, n="Acme"))["accountCreate"]["account"]
        await gql(first, key, MOVE, id=account["id"], to="CONVERSION")
        changes = [await next_change(ws), await next_change(ws)]
        assert [(c["recordId"], c["toStage"]) for c in changes] == [
            (account["id"], "REACH"),
            (account["id"], "CONVERSION"),
        ]
        with pytest.raises(asyncio.TimeoutError):
            await asyncio.wait_for(ws.recv(), timeout=0.5)  # nothing twice
    finally:
        await ws.close()


async def test_resuming_on_the_other_process_loses_nothing(two_processes):
    key, (first, second) = two_processes
    ws = await subscribe(first, key)
    account = (await gql(first, key, CREATE, n="Initech"))["accountCreate"]["account"]
    seen = await next_change(ws)
    await ws.close()
    for stage in ("ACQUISITION", "CONVERSION"):  # while nobody listens
        await gql(first, key, MOVE, id=account["id"], to=stage)
    ws = await subscribe(second, key, after=seen["cursor"])
    try:
        replayed = [await next_change(ws), await next_change(ws)]
        await gql(first, key, MOVE, id=account["id"], to="RETENTION")
        live = await next_change(ws)
    finally:
        await ws.close()
    assert [c["toStage"] for c in [*replayed, live]] == ["ACQUISITION", "CONVERSION", "RETENTION"]
