"""stageChanged over WebSocket: one execution per change for every subscriber of one shape.

The app runs in-process (Starlette's test client, on its own thread and event loop), on
SQLite and on PostgreSQL, so that the shared execution can be counted."""

from __future__ import annotations

import asyncio
from contextlib import ExitStack

import pytest
from starlette.testclient import TestClient

from api.app import create_app
from api.settings import Settings
from schema import lifecycle as lifecycle_schema
from schema import live
from tests.conftest import make_tenant
from tests.helpers import gql_sync as post

PROTOCOL = "graphql-transport-ws"
WITH_ACCOUNT = "subscription { stageChanged { id toStage account { name } } }"
ANOTHER_SHAPE = "subscription { stageChanged { toStage recordId } }"
CREATE = "mutation($n: String!) { accountCreate(input: {name: $n}) { account { id } } }"
MOVE = """
mutation($id: ID!, $to: LifecycleStage!) {
  accountTransition(input: {id: $id, to: $to}) { userErrors { code } }
}
"""
RENAME = """
mutation($id: ID!, $n: String!) {
  accountUpdate(input: {id: $id, name: $n}) { userErrors { code } }
}
"""


@pytest.fixture
async def two_tenants(engine, database_url):
    return database_url, await make_tenant(engine), await make_tenant(engine)


@pytest.fixture
def executions(monkeypatch):
    """How many times a change's selection was executed for subscribers."""
    counted: list[object] = []
    execute = live._execute

    def counting(info, sink, row):
        counted.append(row.id)
        return execute(info, sink, row)

    monkeypatch.setattr(live, "_execute", counting)
    return counted


def subscribe(
    sockets: ExitStack, client: TestClient, key: str, query: str, op: str = "1", **variables
):
    ws = sockets.enter_context(client.websocket_connect("/graphql", subprotocols=[PROTOCOL]))
    ws.send_json({"type": "connection_init", "payload": {"authorization": f"Bearer {key}"}})
    assert ws.receive_json() == {"type": "connection_ack"}
    payload = {"query": query, "variables": variables}
    ws.send_json({"id": op, "type": "subscribe", "payload": payload})
    return ws


def wait_for_subscribers(client: TestClient, count: int) -> None:
    """Subscribing is asynchronous: wait until the bus has them all."""
    bus = client.app.state.bus  # type: ignore[attr-defined]
    for _ in range(200):
        if len(bus._subscriptions) >= count:
            return
        client.portal.call(asyncio.sleep, 0.01)
    raise AssertionError("the subscriptions did not start")


async def test_subscribers_of_one_shape_share_each_execution(two_tenants, executions):
    url, tenant, other = two_tenants

    def talk():
        with TestClient(create_app(Settings(database_url=url))) as client, ExitStack() as sockets:
            same = [subscribe(sockets, client, tenant.key, WITH_ACCOUNT) for _ in range(3)]
            different = subscribe(sockets, client, tenant.key, ANOTHER_SHAPE, op="x")
            elsewhere = subscribe(sockets, client, other.key, WITH_ACCOUNT)
            wait_for_subscribers(client, 5)
            account = post(client, tenant.key, CREATE, n="Initech")["accountCreate"]["account"]
            post(client, other.key, CREATE, n="Globex")
            post(client, tenant.key, MOVE, id=account["id"], to="ACQUISITION")
            received = [[ws.receive_json() for _ in range(2)] for ws in same]
            return received, [different.receive_json() for _ in range(2)], elsewhere.receive_json()

    received, different, elsewhere = await asyncio.to_thread(talk)

    assert received[0] == received[1] == received[2]
    created, moved = (message["payload"]["data"]["stageChanged"] for message in received[0])
    assert [message["id"] for message in received[0]] == ["1", "1"]
    assert (created["toStage"], created["account"]) == ("REACH", {"name": "Initech"})
    assert (moved["toStage"], moved["account"]) == ("ACQUISITION", {"name": "Initech"})
    assert [m["id"] for m in different] == ["x", "x"]
    assert [m["payload"]["data"]["stageChanged"]["toStage"] for m in different] == [
        "REACH",
        "ACQUISITION",
    ]
    assert elsewhere["payload"]["data"]["stageChanged"]["account"] == {"name": "Globex"}
    # Per change: one execution for the three alike, one for the other shape; and one for
    # the other workspace's change, which only its own subscriber receives.
    assert len(executions) == 5
    assert sorted(executions.count(change) for change in set(executions)) == [1, 2, 2]


async def test_nested_fields_are_read_afresh_for_each_change(two_tenants):
    url, tenant, _ = two_tenants

    def talk():
        with TestClient(create_app(Settings(database_url=url))) as client, ExitStack() as sockets:
            ws = subscribe(sockets, client, tenant.key, WITH_ACCOUNT)
            wait_for_subscribers(client, 1)
            account = post(client, tenant.key, CREATE, n="Before")["accountCreate"]["account"]
            post(client, tenant.key, RENAME, id=account["id"], n="After")
            post(client, tenant.key, MOVE, id=account["id"], to="ACQUISITION")
            return [ws.receive_json()["payload"]["data"]["stageChanged"] for _ in range(2)]

    created, moved = await asyncio.to_thread(talk)
    assert created["account"] == {"name": "Before"}
    assert moved["account"] == {"name": "After"}


async def test_an_unexpected_error_reaches_subscribers_masked(two_tenants, monkeypatch, caplog):
    url, tenant, _ = two_tenants

    class Broken(dict):
        def __getitem__(self, _key):
            raise RuntimeError("secret detail")

    # What `StageChange.recordId` looks the type name up in: only it fails.
    monkeypatch.setattr(lifecycle_schema, "TYPE_NAME_OF_ENTITY", Broken())

    def talk():
        with TestClient(create_app(Settings(database_url=url))) as client, ExitStack() as sockets:
            ws = subscribe(
                sockets, client, tenant.key, "subscription { stageChanged { recordId } }"
            )
            wait_for_subscribers(client, 1)
            post(client, tenant.key, CREATE, n="Initech")
            return ws.receive_json()

    message = await asyncio.to_thread(talk)
    assert message["type"] == "next"
    [error] = message["payload"]["errors"]
    assert error["message"] == "Internal server error."
    assert error["extensions"]["code"] == "INTERNAL_SERVER_ERROR"
    assert "secret" not in str(message)
    assert error["extensions"]["requestId"] in caplog.text


RESUMABLE = """
subscription($after: String, $filter: StageChangeFilter) {
  stageChanged(after: $after, filter: $filter) { id toStage }
}
"""


async def test_filters_and_cursors_do_not_split_the_shared_execution(two_tenants, executions):
    url, tenant, _ = two_tenants

    def talk():
        with TestClient(create_app(Settings(database_url=url))) as client, ExitStack() as sockets:
            first = post(client, tenant.key, CREATE, n="First")["accountCreate"]["account"]
            history = post(client, tenant.key, "{ stageChanges { nodes { cursor } } }")
            cursor = history["stageChanges"]["nodes"][-1]["cursor"]
            everything = subscribe(sockets, client, tenant.key, RESUMABLE)
            resuming = subscribe(sockets, client, tenant.key, RESUMABLE, after=cursor)
            only_first = subscribe(
                sockets, client, tenant.key, RESUMABLE, filter={"recordIds": [first["id"]]}
            )
            wait_for_subscribers(client, 3)
            post(client, tenant.key, CREATE, n="Second")
            post(client, tenant.key, MOVE, id=first["id"], to="ACQUISITION")
            return (
                [everything.receive_json() for _ in range(2)],
                [resuming.receive_json() for _ in range(2)],
                only_first.receive_json(),
            )

    everything, resuming, only_first = await asyncio.to_thread(talk)
    assert everything == resuming
    assert [m["payload"]["data"]["stageChanged"]["toStage"] for m in everything] == [
        "REACH",
        "ACQUISITION",
    ]
    assert only_first == everything[1]
    assert sorted(executions.count(change) for change in set(executions)) == [1, 1]


async def test_a_variable_of_the_selection_alone_is_part_of_the_shape(two_tenants, executions):
    url, tenant, _ = two_tenants
    query = "subscription($full: Boolean!) { stageChanged { toStage id @include(if: $full) } }"

    def talk():
        with TestClient(create_app(Settings(database_url=url))) as client, ExitStack() as sockets:
            full = subscribe(sockets, client, tenant.key, query, full=True)
            short = subscribe(sockets, client, tenant.key, query, full=False)
            wait_for_subscribers(client, 2)
            post(client, tenant.key, CREATE, n="Initech")
            return full.receive_json(), short.receive_json()

    full, short = await asyncio.to_thread(talk)
    assert set(full["payload"]["data"]["stageChanged"]) == {"toStage", "id"}
    assert short["payload"]["data"]["stageChanged"] == {"toStage": "REACH"}
    assert len(executions) == 2
