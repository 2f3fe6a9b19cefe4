"""What reaches PostgreSQL per request, counted on the wire by the benchmark's proxy
(bench/pgcount.py): it sees what SQLAlchemy's statement events never do, BEGIN, ROLLBACK
and pool pings, each a round trip."""

from __future__ import annotations

import importlib.util
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from api.app import create_app
from api.settings import Settings
from db.session import make_engine
from tests.helpers import gql, ok
from tests.test_query_counts import CREATE_USER, W1, W2, W3, W4, seed

_spec = importlib.util.spec_from_file_location(
    "pgcount", Path(__file__).parent.parent / "bench" / "pgcount.py"
)
assert _spec is not None
assert _spec.loader is not None
pgcount: Any = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(pgcount)


def postgres_only(database_url: str) -> None:
    if not database_url.startswith("postgresql"):
        pytest.skip("round trips are counted on PostgreSQL's wire protocol")


@pytest.fixture
async def counted(database_url: str, tenant) -> AsyncIterator[tuple[httpx.AsyncClient, Any]]:
    """A client of an app whose every database connection goes through the counting proxy."""
    postgres_only(database_url)
    url = make_url(database_url)
    proxy = pgcount.StatementCounter(url.host or "127.0.0.1", url.port or 5432)
    port = proxy.start()
    proxied = url.set(host="127.0.0.1", port=port).render_as_string(hide_password=False)
    engine = make_engine(proxied)
    app = create_app(Settings(database_url=proxied), engine=engine)
    try:
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app),
            base_url="http://testserver",
            headers={"Authorization": f"Bearer {tenant.key}"},
        ) as client:
            yield client, proxy
    finally:
        await engine.dispose()
        proxy.stop()


async def test_each_benchmark_read_is_its_data_statements_and_nothing_else(counted):
    client, proxy = counted
    owner = ok((await gql(client, CREATE_USER))["userCreate"])
    await seed(client, owner["id"], 3)
    [account] = (await gql(client, "{ accounts(first: 1) { nodes { id } } }"))["accounts"]["nodes"]
    await gql(
        client,
        'mutation($id: ID!) { accountUpdate(input: {id: $id, industry: "Aerospace"}) { userErrors { code } } }',
        id=account["id"],
    )
    reads = {
        "W1": (W1, {"id": account["id"]}, 1),  # the account
        "W2": (W2, {}, 1),  # the page
        "W3": (W3, {}, 3),  # accounts, their contacts, their opportunities
        "W4": (W4, {}, 2),  # opportunities, their accounts
    }
    for name, (query, variables, data_statements) in reads.items():
        await gql(client, query, **variables)  # statements prepared, key looked up
        proxy.reset()
        await gql(client, query, **variables)
        counts, _ = proxy.snapshot()
        # No BEGIN/ROLLBACK around a read, no ping on checkout.
        assert dict(counts) == {"query": data_statements}, (name, proxy.snapshot()[1])


async def test_a_mutation_is_one_transaction_without_pings(counted):
    client, proxy = counted
    await gql(client, CREATE_USER)
    proxy.reset()
    await gql(client, 'mutation { accountCreate(input: {name: "A"}) { account { id } } }')
    counts, texts = proxy.snapshot()
    assert counts["transaction"] == 2, texts  # BEGIN, COMMIT
    assert counts["ping"] == 0, texts


async def _close_pooled_connections(database_url: str) -> int:
    """Make the server end every other connection to the test database, as a restart would."""
    admin = make_engine(database_url)
    try:
        async with admin.connect() as connection:
            ended = await connection.scalar(
                text(
                    # Waits (up to 5 s) until each has ended.
                    "SELECT count(pg_terminate_backend(pid, 5000)) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            )
    finally:
        await admin.dispose()
    return int(ended or 0)


async def test_reads_and_writes_survive_connections_the_server_closed(
    client, anonymous_client, database_url, engine
):
    postgres_only(database_url)
    owner = ok((await gql(client, CREATE_USER))["userCreate"])
    try:
        await _survive_closed_connections(client, anonymous_client, database_url, owner)
    finally:
        await engine.dispose()  # no dead connection left in the pool the next tests share


async def _survive_closed_connections(client, anonymous_client, database_url, owner) -> None:
    assert await _close_pooled_connections(database_url) >= 1
    ready = await anonymous_client.get("/readyz")
    assert ready.status_code == 200, ready.text
    assert await _close_pooled_connections(database_url) >= 1
    data = await gql(client, "{ users(first: 5) { nodes { id name } } }")
    assert data["users"]["nodes"] == [{"id": owner["id"], "name": "Owner"}]
    assert await _close_pooled_connections(database_url) >= 1
    created = await gql(
        client,
        'mutation { accountCreate(input: {name: "After"}) { account { name } userErrors { code } } }',
    )
    assert ok(created["accountCreate"]) == {"name": "After"}
