"""stageChanged over graphql-transport-ws: live changes, filters, resume from a cursor.

The app runs in the test client's own event loop; mutations go through the same client,
so they share the app's event bus, as requests to one process do.
"""

from __future__ import annotations

import asyncio

import pytest
from starlette.testclient import TestClient

from api.app import create_app
from api.settings import Settings
from db.migrate import upgrade_to_head
from db.session import make_engine
from tests.conftest import make_tenant
from tests.helpers import gql_sync

PROTOCOL = "graphql-transport-ws"
SUBSCRIBE = """
subscription($filter: StageChangeFilter, $after: String) {
  stageChanged(filter: $filter, after: $after) { id cursor entityType recordId fromStage toStage cause }
}
"""
CREATE_ACCOUNT = (
    "mutation($name: String!) { accountCreate(input: {name: $name}) { account { id } } }"
)
CREATE_LEAD = 'mutation { leadCreate(input: {lastName: "Lee"}) { lead { id } } }'
MOVE_ACCOUNT = """
mutation($id: ID!, $to: LifecycleStage!) { accountTransition(input: {id: $id, to: $to}) { stageChange { cursor } userErrors { code } } }
"""
HISTORY = "{ stageChanges(first: 100) { nodes { id cursor toStage } } }"


@pytest.fixture
async def served(tmp_path):
    url = f"sqlite+aiosqlite:///{tmp_path / 'subscriptions.db'}"
    engine = make_engine(url)
    await upgrade_to_head(engine)
    mine, theirs = await make_tenant(engine), await make_tenant(engine)
    await engine.dispose()
    return create_app(Settings(database_url=url)), mine.key, theirs.key


class Session:
    """A test client with helpers for HTTP GraphQL and one WebSocket subscription."""

    def __init__(self, client: TestClient, key: str) -> None:
        self.client = client
        self.key = key

    def gql(self, query: str, key: str | None = None, **variables: object) -> dict:
        return gql_sync(self.client, key or self.key, query, **variables)

    def subscribe(self, ws, **variables: object) -> None:
        ws.send_json(
            {"type": "connection_init", "payload": {"authorization": f"Bearer {self.key}"}}
        )
        assert ws.receive_json()["type"] == "connection_ack"
        ws.send_json(
            {
                "id": "s",
                "type": "subscribe",
                "payload": {"query": SUBSCRIBE, "variables": variables},
            }
        )

    @staticmethod
    def next_change(ws) -> dict:
        message = ws.receive_json()
        assert message["type"] == "next", message
        assert "errors" not in message["payload"], message
        return message["payload"]["data"]["stageChanged"]


def run(function):
    return asyncio.to_thread(function)


async def test_live_changes_arrive_once_and_only_from_the_own_workspace(served):
    app, key, other_key = served

    def talk():
        with (
            TestClient(app) as client,
            client.websocket_connect("/graphql", subprotocols=[PROTOCOL]) as ws,
        ):
            session = Session(client, key)
            session.subscribe(ws)
            session.gql(CREATE_ACCOUNT, key=other_key, name="Not yours")
            account = session.gql(CREATE_ACCOUNT, name="Acme")["accountCreate"]["account"]
            session.gql(MOVE_ACCOUNT, id=account["id"], to="CONVERSION")
            return account, [session.next_change(ws), session.next_change(ws)]

    account, changes = await run(talk)
    assert [(c["recordId"], c["fromStage"], c["toStage"], c["cause"]) for c in changes] == [
        (account["id"], None, "REACH", "CREATED"),
        (account["id"], "REACH", "CONVERSION", "MANUAL"),
    ]


async def test_filters_select_what_is_delivered(served):
    app, key, _ = served

    def talk():
        with (
            TestClient(app) as client,
            client.websocket_connect("/graphql", subprotocols=[PROTOCOL]) as ws,
        ):
            session = Session(client, key)
            session.subscribe(ws, filter={"entityTypes": ["LEAD"]})
            session.gql(CREATE_ACCOUNT, name="Ignored")
            session.gql(CREATE_LEAD)
            return session.next_change(ws)

    change = await run(talk)
    assert (change["entityType"], change["toStage"]) == ("LEAD", "OPEN")


async def test_resuming_after_a_cursor_replays_then_streams_without_gap_or_repeat(served):
    app, key, _ = served

    def talk():
        with TestClient(app) as client:
            session = Session(client, key)
            account = session.gql(CREATE_ACCOUNT, name="Acme")["accountCreate"]["account"]
            for stage in ("ACQUISITION", "CONVERSION", "RETENTION"):
                session.gql(MOVE_ACCOUNT, id=account["id"], to=stage)
            history = session.gql(HISTORY)["stageChanges"]["nodes"]
            with client.websocket_connect("/graphql", subprotocols=[PROTOCOL]) as ws:
                session.subscribe(ws, after=history[1]["cursor"])
                replayed = [session.next_change(ws) for _ in range(2)]
                session.gql(MOVE_ACCOUNT, id=account["id"], to="ADVOCACY")
                live = session.next_change(ws)
            return history, replayed, live

    history, replayed, live = await run(talk)
    assert [c["id"] for c in replayed] == [row["id"] for row in history[2:]]
    assert live["toStage"] == "ADVOCACY"
    assert live["id"] not in {row["id"] for row in history}


async def test_a_bad_cursor_is_a_clear_error(served):
    app, key, _ = served

    def talk():
        with (
            TestClient(app) as client,
            client.websocket_connect("/graphql", subprotocols=[PROTOCOL]) as ws,
        ):
            Session(client, key).subscribe(ws, after="not-a-cursor")
            return ws.receive_json()

    message = await run(talk)
    assert message["type"] == "error", message  # the operation's one and last message
    assert "Invalid cursor" in message["payload"][0]["message"]
