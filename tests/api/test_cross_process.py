"""Two API processes on one PostgreSQL: a change made through one reaches subscribers of
the other (NOTIFY in the committing transaction, one LISTEN connection per process)."""

from __future__ import annotations

import asyncio
from contextlib import AsyncExitStack

import pytest

from tests.conftest import make_tenant
from tests.helpers import gql_at as gql
from tests.helpers import next_change, uvicorn_process, ws_subscribe

CREATE = "mutation($n: String!) { accountCreate(input: {name: $n}) { account { id } } }"
MOVE = """
mutation($id: ID!, $to: LifecycleStage!) { accountTransition(input: {id: $id, to: $to}) { userErrors { code } } }
"""


@pytest.fixture
async def two_processes(database_url, engine):
    if not database_url.startswith("postgresql"):
        pytest.skip("several processes share a PostgreSQL database")
    tenant = await make_tenant(engine)
    async with AsyncExitStack() as stack:
        servers = [await stack.enter_async_context(uvicorn_process(database_url)) for _ in "12"]
        yield tenant.key, [server.port for server in servers]


async def test_a_change_through_one_process_reaches_the_other_once(two_processes):
    key, (first, second) = two_processes
    ws = await ws_subscribe(second, key)
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
    ws = await ws_subscribe(first, key)
    account = (await gql(first, key, CREATE, n="Initech"))["accountCreate"]["account"]
    seen = await next_change(ws)
    await ws.close()
    for stage in ("ACQUISITION", "CONVERSION"):  # while nobody listens
        await gql(first, key, MOVE, id=account["id"], to=stage)
    ws = await ws_subscribe(second, key, after=seen["cursor"])
    try:
        replayed = [await next_change(ws), await next_change(ws)]
        await gql(first, key, MOVE, id=account["id"], to="RETENTION")
        live = await next_change(ws)
    finally:
        await ws.close()
    assert [c["toStage"] for c in [*replayed, live]] == ["ACQUISITION", "CONVERSION", "RETENTION"]
