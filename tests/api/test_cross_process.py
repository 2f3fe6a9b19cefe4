"""Two API processes on one PostgreSQL: a change made through one reaches subscribers of
the other (NOTIFY in the committing transaction, one LISTEN connection per process), and
a process whose LISTEN connection drops replays from the history what it missed."""

from __future__ import annotations

import asyncio
import os
from contextlib import AsyncExitStack

import asyncpg
import pytest
from sqlalchemy.engine import make_url

from db.enums import LifecycleStage
from db.models import Account
from db.session import asyncpg_dsn, make_session_factory
from resolvers import global_ids
from resolvers.events import PostgresBus
from resolvers.transitions import move
from resolvers.uow import unit_of_work
from tests.conftest import POSTGRES_ENV, make_tenant
from tests.helpers import gql_at as gql
from tests.helpers import next_change, next_message, uvicorn_process, ws_subscribe

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


async def test_a_dropped_listen_connection_is_replaced_and_what_it_missed_is_replayed(
    database_url, engine
):
    if not database_url.startswith("postgresql"):
        pytest.skip("LISTEN/NOTIFY is PostgreSQL's")
    tenant = await make_tenant(engine)
    sessions = make_session_factory(engine)  # its pooled connection outlives the outage
    announcing = PostgresBus(asyncpg_dsn(database_url))  # NOTIFY inside the commit, as the API
    # On the server's admin database: a database cannot refuse connections from inside.
    admin = await asyncpg.connect(asyncpg_dsn(os.environ[POSTGRES_ENV]))
    database = make_url(database_url).database
    async with uvicorn_process(database_url) as server:
        port, key = server.port, tenant.key
        ws = await ws_subscribe(port, key)
        try:
            account = (await gql(port, key, CREATE, n="Acme"))["accountCreate"]["account"]
            seen = [await next_change(ws)]
            listener = f"crm-listen-{server.process.pid}"
            old = await listen_backend(admin, listener)
            # Down, and kept down: the process cannot reconnect until connections are allowed.
            await admin.execute(f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS false')
            try:
                await admin.execute("SELECT pg_terminate_backend($1)", old)
                while await listen_backend(admin, listener) is not None:
                    await asyncio.sleep(0.05)
                for stage in (LifecycleStage.ACQUISITION, LifecycleStage.CONVERSION):
                    async with unit_of_work(
                        sessions, announcing, history_of=tenant.principal.workspace_id
                    ) as session:
                        await move(
                            session,
                            Account,
                            actor=tenant.principal,
                            global_id=account["id"],
                            expected_version=None,
                            to=stage,
                        )
                with pytest.raises(TimeoutError):
                    await next_message(ws, timeout=1)  # nobody heard them announced
            finally:
                await admin.execute(f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS true')
            seen += [await next_change(ws), await next_change(ws)]  # replayed on reconnect
            new = await listen_backend(admin, listener)
            assert new not in (None, old)
            await gql(port, key, MOVE, id=account["id"], to="RETENTION")
            seen.append(await next_change(ws))
            with pytest.raises(TimeoutError):
                await next_message(ws, timeout=0.5)  # nothing twice
            history = await gql(port, key, "{ stageChanges(first: 10) { nodes { id toStage } } }")
        finally:
            await ws.close()
            await admin.close()
    assert [(c["id"], c["toStage"]) for c in seen] == [
        (row["id"], row["toStage"]) for row in history["stageChanges"]["nodes"]
    ]
    assert [c["toStage"] for c in seen] == ["REACH", "ACQUISITION", "CONVERSION", "RETENTION"]


async def listen_backend(admin, application_name: str) -> int | None:
    return await admin.fetchval(
        "SELECT pid FROM pg_stat_activity WHERE application_name = $1", application_name
    )


async def test_a_change_committed_after_a_larger_id_of_another_workspace_is_replayed(
    database_url, engine
):
    """Ids follow commit order within a workspace only. Workspace A takes an id, workspace
    B takes a larger one and commits, the process hears B, its LISTEN connection drops, A
    commits unheard: the replay must still bring A's change to A's subscriber."""
    if not database_url.startswith("postgresql"):
        pytest.skip("LISTEN/NOTIFY is PostgreSQL's")
    slow, fast = await make_tenant(engine), await make_tenant(engine)
    sessions = make_session_factory(engine)  # its pooled connection outlives the outage
    announcing = PostgresBus(asyncpg_dsn(database_url))
    admin = await asyncpg.connect(asyncpg_dsn(os.environ[POSTGRES_ENV]))
    database = make_url(database_url).database
    async with uvicorn_process(database_url) as server:
        port = server.port
        slow_ws, fast_ws = await ws_subscribe(port, slow.key), await ws_subscribe(port, fast.key)
        try:
            account = (await gql(port, slow.key, CREATE, n="Slow"))["accountCreate"]["account"]
            assert (await next_change(slow_ws))["toStage"] == "REACH"
            async with unit_of_work(
                sessions, announcing, history_of=slow.principal.workspace_id
            ) as session:
                _, taken = await move(
                    session,
                    Account,
                    actor=slow.principal,
                    global_id=account["id"],
                    expected_version=None,
                    to=LifecycleStage.ACQUISITION,
                )
                # Meanwhile another workspace takes a larger id, commits, and is heard.
                await gql(port, fast.key, CREATE, n="Fast")
                heard = await next_change(fast_ws)
                assert global_ids.decode(heard["id"]) > ("StageChange", taken.id)
                listener = f"crm-listen-{server.process.pid}"
                old = await listen_backend(admin, listener)
                await admin.execute(f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS false')
                await admin.execute("SELECT pg_terminate_backend($1)", old)
                while await listen_backend(admin, listener) is not None:
                    await asyncio.sleep(0.05)
            # Committed (leaving the block) while nobody in the process listens.
            try:
                with pytest.raises(TimeoutError):
                    await next_message(slow_ws, timeout=1)
            finally:
                await admin.execute(f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS true')
            replayed = await next_change(slow_ws)
            with pytest.raises(TimeoutError):
                await next_message(fast_ws, timeout=0.5)  # B's change is not heard twice
        finally:
            await slow_ws.close()
            await fast_ws.close()
            await admin.close()
    assert replayed["toStage"] == "ACQUISITION"
    assert replayed["id"] == global_ids.encode("StageChange", taken.id)
