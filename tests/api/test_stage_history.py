"""The one lifecycle history over GraphQL: a row per change (creation included), automatic
moves and their causes, `stageChanges` filters and paging, per-record history fields, the
actor, append-only, and imports that date the past."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import httpx
import pytest

from db.enums import ApiKeyRole
from db.models import Opportunity
from db.session import make_session_factory
from resolvers import api_keys, global_ids, lifecycle
from tests.builders import TYPE_NAMES
from tests.conftest import key_client
from tests.helpers import execute, gql, ok, refused

USER_ERRORS = "userErrors { field message code }"
CHANGE_FIELDS = """
    id entityType recordId fromStage toStage occurredAt recordedAt reason cause cursor
    account { id } actor { kind id name }
"""
HISTORY_FIELDS = f"""
    stageHistory {{ totalCount nodes {{ {CHANGE_FIELDS} }} }}
    enteredStageAt timeInStageSeconds createdAt version
"""
STAGE_FIELD = {
    "account": "lifecycleStage",
    "contact": "lifecycleStage",
    "lead": "status",
    "opportunity": "stage",
    "case": "status",
    "campaign": "status",
}
TYPES = {entity: TYPE_NAMES[entity] for entity in STAGE_FIELD}  # the types with a lifecycle
CREATE = {
    entity: f"""
mutation($input: {type_name}CreateInput!) {{
  result: {entity}Create(input: $input) {{
    record: {entity} {{ id stage: {STAGE_FIELD[entity]} {HISTORY_FIELDS} }} {USER_ERRORS}
  }}
}}
"""
    for entity, type_name in TYPES.items()
}
TRANSITION = {
    entity: f"""
mutation($input: {type_name}TransitionInput!) {{
  result: {entity}Transition(input: $input) {{
    record: {entity} {{ id stage: {STAGE_FIELD[entity]} }}
    stageChange {{ {CHANGE_FIELDS} }}
    {USER_ERRORS}
  }}
}}
"""
    for entity, type_name in TYPES.items()
}
_PAGED_HISTORY = HISTORY_FIELDS.replace(
    "stageHistory {", "stageHistory(first: $first, after: $after) {"
)
RECORD = f"""
query($id: ID!, $first: Int, $after: String) {{
  node(id: $id) {{
    ... on Account {{ lifecycleStage {_PAGED_HISTORY} }}
    ... on Contact {{ lifecycleStage {_PAGED_HISTORY} }}
    ... on Lead {{ leadStatus: status {_PAGED_HISTORY} }}
    ... on Opportunity {{ opportunityStage: stage {_PAGED_HISTORY} closedAt }}
    ... on Case {{
      caseStatus: status {_PAGED_HISTORY} firstRespondedAt firstResponseDueAt resolutionDueAt
    }}
    ... on Campaign {{ campaignStatus: status {_PAGED_HISTORY} }}
  }}
}}
"""
STAGE_ALIASES = ("lifecycleStage", "leadStatus", "opportunityStage", "caseStatus", "campaignStatus")
STAGE_CHANGES = f"""
query($filter: StageChangeFilter, $first: Int, $after: String) {{
  stageChanges(filter: $filter, first: $first, after: $after) {{
    totalCount
    pageInfo {{ hasNextPage endCursor }}
    nodes {{ {CHANGE_FIELDS} }}
  }}
}}
"""
NODE = f"""
query($id: ID!) {{ node(id: $id) {{ id ... on StageChange {{ {CHANGE_FIELDS} }} }} }}
"""
ACCOUNTS_ENTERED = """
query { accounts { nodes { id enteredStageAt createdAt } } }
"""
CONVERT = f"""
mutation($input: LeadConvertInput!) {{
  leadConvert(input: $input) {{
    lead {{ id status convertedAt }} account {{ id createdAt }} contact {{ id }} {USER_ERRORS}
  }}
}}
"""
UPDATE_ACCOUNT = f"""
mutation($input: AccountUpdateInput!) {{ accountUpdate(input: $input) {{ account {{ id }} {USER_ERRORS} }} }}
"""
ARCHIVE_ACCOUNT = f"""
mutation($input: AccountArchiveInput!) {{ accountArchive(input: $input) {{ account {{ id }} {USER_ERRORS} }} }}
"""
MUTATIONS = """
query { __schema { mutationType { fields { name } } types { name kind } } }
"""


def now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def state(node: dict[str, Any]) -> dict[str, Any]:
    """A record's fields without `timeInStageSeconds`, a reading of the clock: two reads of
    an unchanged record a moment apart may differ there by a second."""
    return {name: value for name, value in node.items() if name != "timeInStageSeconds"}


def ago(**delta: float) -> datetime:
    return now() - timedelta(**delta)


def at(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text)


async def create(client: httpx.AsyncClient, entity: str, **fields: Any) -> dict[str, Any]:
    defaults = {
        "account": {"name": "Acme"},
        "contact": {"lastName": "Doe"},
        "lead": {"lastName": "Lovelace"},
        "opportunity": {"name": "Deal"},
        "case": {"subject": "Broken"},
        "campaign": {"name": "Launch", "type": "EMAIL"},
    }[entity]
    when = fields.pop("createdAt", None)
    if when is not None:
        fields["createdAt"] = when.isoformat()
    data = await gql(client, CREATE[entity], input={**defaults, **fields})
    return ok(data["result"])


async def transition(
    client: httpx.AsyncClient, entity: str, record_id: str, to: str, **fields: Any
) -> dict[str, Any]:
    when = fields.pop("occurredAt", None)
    if when is not None:
        fields["occurredAt"] = when.isoformat()
    data = await gql(client, TRANSITION[entity], input={"id": record_id, "to": to, **fields})
    return dict(data["result"])


def moved(payload: dict[str, Any]) -> dict[str, Any]:
    assert payload["userErrors"] == [], payload["userErrors"]
    return payload


async def record(client: httpx.AsyncClient, record_id: str, **page: Any) -> dict[str, Any]:
    node = dict((await gql(client, RECORD, id=record_id, **page))["node"])
    (alias,) = [alias for alias in STAGE_ALIASES if alias in node]
    node["stage"] = node.pop(alias)
    return node


async def rows(client: httpx.AsyncClient, record_id: str) -> list[tuple[Any, ...]]:
    history = (await record(client, record_id))["stageHistory"]["nodes"]
    return [(row["fromStage"], row["toStage"], row["cause"]) for row in history]


async def changes(client: httpx.AsyncClient, **filter: Any) -> list[dict[str, Any]]:
    data = await gql(client, STAGE_CHANGES, filter=filter or None, first=100)
    connection = data["stageChanges"]
    assert connection["totalCount"] == len(connection["nodes"])
    return list(connection["nodes"])


def summary(nodes: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    return [(node["recordId"], node["fromStage"], node["toStage"], node["cause"]) for node in nodes]


def key_id(principal_api_key_id: int) -> str:
    return global_ids.encode("ApiKey", principal_api_key_id)


@pytest.fixture
async def member(
    app: Any, engine: Any, tenant: Any
) -> AsyncIterator[tuple[httpx.AsyncClient, int]]:
    """A MEMBER key of the same workspace as `client`, and its id."""
    async with make_session_factory(engine)() as session, session.begin():
        secret, key = await api_keys.create(
            session, workspace_name=tenant.workspace_name, role=ApiKeyRole.MEMBER
        )
    async with key_client(app, secret) as client:
        yield client, key.id


# --- Creation ---------------------------------------------------------------------------------

CREATIONS = [
    ("account", {}, "REACH"),
    ("account", {"phone": "+1 212 555 0100"}, "ACQUISITION"),
    ("contact", {}, "REACH"),
    ("contact", {"email": "jane@example.com"}, "ACQUISITION"),
    ("contact", {"phone": "+1 212 555 0101"}, "ACQUISITION"),
    ("lead", {}, "OPEN"),
    ("opportunity", {}, "PROSPECTING"),
    ("case", {}, "NEW"),
    ("campaign", {}, "PLANNED"),
]


@pytest.mark.parametrize(
    ("entity", "fields", "initial"),
    [pytest.param(*creation, id=f"{creation[0]}-{creation[2]}") for creation in CREATIONS],
)
async def test_creation_writes_a_history_row_to_the_initial_stage(
    client, tenant, entity, fields, initial
):
    created = await create(client, entity, **fields)
    assert created["stage"] == initial
    history = created["stageHistory"]
    assert history["totalCount"] == 1
    row = history["nodes"][0]
    assert row["entityType"] == entity.upper()
    assert row["recordId"] == created["id"]
    assert (row["fromStage"], row["toStage"], row["cause"], row["reason"]) == (
        None,
        initial,
        "CREATED",
        None,
    )
    assert row["occurredAt"] == created["createdAt"]
    assert created["enteredStageAt"] == created["createdAt"]
    assert 0 <= created["timeInStageSeconds"] < 60
    assert row["actor"]["kind"] == "API_KEY"
    assert row["actor"]["id"] == key_id(tenant.principal.api_key_id)
    assert tenant.key.startswith(row["actor"]["name"])
    account = row["account"]
    assert account == ({"id": created["id"]} if entity == "account" else None)


async def test_history_rows_are_nodes_of_their_workspace_only(client, other_client):
    created = await create(client, "account")
    row = created["stageHistory"]["nodes"][0]
    assert (await gql(client, NODE, id=row["id"]))["node"] == row
    assert (await gql(other_client, NODE, id=row["id"]))["node"] is None
    assert await changes(other_client) == []


async def test_contact_history_carries_its_account(client):
    account = await create(client, "account")
    contact = await create(client, "contact", accountId=account["id"])
    assert contact["stageHistory"]["nodes"][0]["account"] == {"id": account["id"]}


# --- Automatic moves --------------------------------------------------------------------------


async def win(client, account_id=None, contact_id=None, **fields):
    links = {"accountId": account_id, "primaryContactId": contact_id}
    opportunity = await create(
        client, "opportunity", **{k: v for k, v in links.items() if v is not None}
    )
    payload = moved(
        await transition(client, "opportunity", opportunity["id"], "CLOSED_WON", **fields)
    )
    return opportunity["id"], payload["stageChange"]


async def test_first_and_second_win_make_account_and_primary_contact_customers(client):
    account = await create(client, "account")
    contact = await create(client, "contact", accountId=account["id"])
    bystander = await create(client, "contact", accountId=account["id"])

    first_id, first_won = await win(client, account["id"], contact["id"])
    for customer in (account, contact):
        node = await record(client, customer["id"])
        assert node["stage"] == "CONVERSION"
        automatic = node["stageHistory"]["nodes"][-1]
        assert (automatic["fromStage"], automatic["toStage"], automatic["cause"]) == (
            "REACH",
            "CONVERSION",
            "FIRST_PURCHASE",
        )
        assert automatic["reason"]
        assert automatic["occurredAt"] == first_won["occurredAt"]
        assert node["enteredStageAt"] == first_won["occurredAt"]
    assert (await record(client, bystander["id"]))["stage"] == "REACH"

    second_id, _ = await win(client, account["id"], contact["id"])
    for customer in (account, contact):
        assert await rows(client, customer["id"]) == [
            (None, "REACH", "CREATED"),
            ("REACH", "CONVERSION", "FIRST_PURCHASE"),
            ("CONVERSION", "RETENTION", "REPEAT_PURCHASE"),
        ]

    # Cause before effect, in the order written.
    listed = summary(await changes(client, accountId=account["id"]))
    won_first = listed.index((first_id, "PROSPECTING", "CLOSED_WON", "MANUAL"))
    assert set(listed[won_first + 1 : won_first + 3]) == {
        (account["id"], "REACH", "CONVERSION", "FIRST_PURCHASE"),
        (contact["id"], "REACH", "CONVERSION", "FIRST_PURCHASE"),
    }
    won_second = listed.index((second_id, "PROSPECTING", "CLOSED_WON", "MANUAL"))
    assert set(listed[won_second + 1 : won_second + 3]) == {
        (account["id"], "CONVERSION", "RETENTION", "REPEAT_PURCHASE"),
        (contact["id"], "CONVERSION", "RETENTION", "REPEAT_PURCHASE"),
    }
    assert won_second > won_first + 2


async def test_winning_the_same_deal_again_is_not_a_repeat_purchase(client):
    account = await create(client, "account")
    opportunity_id, _ = await win(client, account["id"])
    moved(await transition(client, "opportunity", opportunity_id, "NEGOTIATION", reason="Undo"))
    moved(await transition(client, "opportunity", opportunity_id, "CLOSED_WON"))
    assert await rows(client, account["id"]) == [
        (None, "REACH", "CREATED"),
        ("REACH", "CONVERSION", "FIRST_PURCHASE"),
    ]


async def test_a_lost_deal_moves_nobody(client):
    account = await create(client, "account")
    opportunity = await create(client, "opportunity", accountId=account["id"])
    moved(
        await transition(
            client, "opportunity", opportunity["id"], "CLOSED_LOST", lostReason="Price"
        )
    )
    assert await rows(client, account["id"]) == [(None, "REACH", "CREATED")]


async def test_automatic_moves_only_go_forward(client):
    account = await create(client, "account")
    moved(await transition(client, "account", account["id"], "ADVOCACY"))
    await win(client, account["id"])
    await win(client, account["id"])
    assert (await record(client, account["id"]))["stage"] == "ADVOCACY"
    assert [row[1] for row in await rows(client, account["id"])] == ["REACH", "ADVOCACY"]


async def test_a_churned_account_that_wins_is_reactivated(client):
    account = await create(client, "account")
    contact = await create(client, "contact", accountId=account["id"])
    for entity, record_id in (("account", account["id"]), ("contact", contact["id"])):
        moved(await transition(client, entity, record_id, "CONVERSION"))
        moved(await transition(client, entity, record_id, "CHURNED", reason="Cancelled"))

    await win(client, account["id"], contact["id"])
    for customer in (account, contact):
        node = await record(client, customer["id"])
        assert node["stage"] == "RETENTION"
        last = node["stageHistory"]["nodes"][-1]
        assert (last["fromStage"], last["toStage"], last["cause"]) == (
            "CHURNED",
            "RETENTION",
            "REACTIVATION",
        )
        assert last["reason"]
        assert node["stageHistory"]["totalCount"] == 4


async def test_two_deals_of_one_account_won_at_once_both_count(client, engine, monkeypatch):
    """Two reps win two deals of one account at the same moment; neither gives occurredAt.

    On SQLite the request that read the clock first is made to write last (as a slower
    request would). On PostgreSQL writers of one workspace's history take turns (see
    resolvers.uow), so that interleaving cannot happen: there the two simply race.
    """
    account = await create(client, "account")
    first, second = [await create(client, "opportunity", accountId=account["id"]) for _ in "ab"]
    if engine.dialect.name == "postgresql":
        slow_result, fast = await asyncio.gather(
            transition(client, "opportunity", first["id"], "CLOSED_WON"),
            transition(client, "opportunity", second["id"], "CLOSED_WON"),
        )
    else:
        slow_pk = global_ids.decode_as(first["id"], "Opportunity")
        slow_has_its_time, fast_is_done = asyncio.Event(), asyncio.Event()
        original = lifecycle._occurred_at

        async def occurred_at(session, record, *args, **kwargs):
            moment = await original(session, record, *args, **kwargs)
            is_slow = isinstance(record, Opportunity) and record.id == slow_pk
            if is_slow and not slow_has_its_time.is_set():
                slow_has_its_time.set()
                await fast_is_done.wait()
            return moment

        monkeypatch.setattr(lifecycle, "_occurred_at", occurred_at)
        slow = asyncio.create_task(transition(client, "opportunity", first["id"], "CLOSED_WON"))
        await asyncio.wait_for(slow_has_its_time.wait(), timeout=30)
        fast = await asyncio.wait_for(
            transition(client, "opportunity", second["id"], "CLOSED_WON"), timeout=30
        )
        fast_is_done.set()
        slow_result = await asyncio.wait_for(slow, timeout=30)

    assert fast["userErrors"] == []
    assert slow_result["userErrors"] == [], slow_result["userErrors"]
    history = (await record(client, account["id"]))["stageHistory"]["nodes"]
    assert [(row["toStage"], row["cause"]) for row in history] == [
        ("REACH", "CREATED"),
        ("CONVERSION", "FIRST_PURCHASE"),
        ("RETENTION", "REPEAT_PURCHASE"),
    ]
    occurred = [at(row["occurredAt"]) for row in history]
    assert occurred == sorted(occurred)


async def test_a_win_without_account_makes_the_primary_contact_a_customer(client):
    contact = await create(client, "contact")
    await win(client, contact_id=contact["id"])
    assert await rows(client, contact["id"]) == [
        (None, "REACH", "CREATED"),
        ("REACH", "CONVERSION", "FIRST_PURCHASE"),
    ]


# --- stageChanges: filters and paging ---------------------------------------------------------


@pytest.fixture
async def timeline(client) -> dict[str, Any]:
    """Records created in the past at known times, and one imported win."""
    times = {
        name: ago(days=days)
        for name, days in (("A", 10), ("C", 9), ("O", 8), ("K", 7), ("B", 6), ("L", 5), ("won", 4))
    }
    a = await create(client, "account", phone="+1 212 555 0100", createdAt=times["A"])
    c = await create(client, "contact", accountId=a["id"], createdAt=times["C"])
    o = await create(
        client, "opportunity", accountId=a["id"], primaryContactId=c["id"], createdAt=times["O"]
    )
    k = await create(client, "case", accountId=a["id"], createdAt=times["K"])
    b = await create(client, "account", createdAt=times["B"])
    lead = await create(client, "lead", createdAt=times["L"])
    moved(await transition(client, "opportunity", o["id"], "CLOSED_WON", occurredAt=times["won"]))
    ids = {"A": a["id"], "C": c["id"], "O": o["id"], "K": k["id"], "B": b["id"], "L": lead["id"]}
    return {"ids": ids, "times": times}


def _expected(ids: dict[str, str], *names: str) -> list[tuple[Any, ...]]:
    every = {
        "A+": (ids["A"], None, "ACQUISITION", "CREATED"),
        "C+": (ids["C"], None, "REACH", "CREATED"),
        "O+": (ids["O"], None, "PROSPECTING", "CREATED"),
        "K+": (ids["K"], None, "NEW", "CREATED"),
        "B+": (ids["B"], None, "REACH", "CREATED"),
        "L+": (ids["L"], None, "OPEN", "CREATED"),
        "Ow": (ids["O"], "PROSPECTING", "CLOSED_WON", "MANUAL"),
        "Aw": (ids["A"], "ACQUISITION", "CONVERSION", "FIRST_PURCHASE"),
        "Cw": (ids["C"], "REACH", "CONVERSION", "FIRST_PURCHASE"),
    }
    return [every[name] for name in names]


ALL_ROWS = ("A+", "C+", "O+", "K+", "B+", "L+", "Ow", "Aw", "Cw")


async def test_stage_changes_lists_the_workspace_history_in_order(client, timeline):
    listed = await changes(client)
    assert summary(listed) == _expected(timeline["ids"], *ALL_ROWS)
    occurred = [at(node["occurredAt"]) for node in listed]
    assert occurred == sorted(occurred)
    assert at(listed[0]["occurredAt"]) == timeline["times"]["A"]


@pytest.mark.parametrize(
    ("make_filter", "expected"),
    [
        pytest.param(
            lambda ids, t: {"entityTypes": ["ACCOUNT"]}, ("A+", "B+", "Aw"), id="account-type"
        ),
        pytest.param(
            lambda ids, t: {"entityTypes": ["CONTACT", "CASE"]}, ("C+", "K+", "Cw"), id="two-types"
        ),
        pytest.param(
            lambda ids, t: {"recordIds": [ids["O"], ids["L"]]}, ("O+", "L+", "Ow"), id="records"
        ),
        pytest.param(
            lambda ids, t: {"accountId": ids["A"]},
            ("A+", "C+", "O+", "K+", "Ow", "Aw", "Cw"),
            id="account",
        ),
        pytest.param(lambda ids, t: {"accountId": ids["B"]}, ("B+",), id="other-account"),
        pytest.param(
            lambda ids, t: {"toStages": ["CONVERSION", "NEW"]}, ("K+", "Aw", "Cw"), id="to-stages"
        ),
        pytest.param(
            lambda ids, t: {
                "occurredAfter": t["B"].isoformat(),
                "occurredBefore": t["won"].isoformat(),
            },
            ("B+", "L+"),
            id="time-range",
        ),
        pytest.param(
            lambda ids, t: {"occurredAfter": (t["B"] + timedelta(seconds=1)).isoformat()},
            ("L+", "Ow", "Aw", "Cw"),
            id="after-is-inclusive-only-of-its-instant",
        ),
        pytest.param(
            lambda ids, t: {
                "accountId": ids["A"],
                "entityTypes": ["CONTACT"],
                "toStages": ["CONVERSION"],
            },
            ("Cw",),
            id="combined",
        ),
        pytest.param(
            lambda ids, t: {"recordIds": [ids["B"]], "toStages": ["CLOSED_WON"]}, (), id="disjoint"
        ),
    ],
)
async def test_stage_changes_filters(client, timeline, make_filter, expected):
    ids = timeline["ids"]
    listed = await changes(client, **make_filter(ids, timeline["times"]))
    assert summary(listed) == _expected(ids, *expected)


async def test_time_filters_accept_other_offsets(client, timeline):
    after = timeline["times"]["L"].astimezone(timezone(timedelta(hours=2)))
    listed = await changes(client, occurredAfter=after.isoformat())
    assert summary(listed) == _expected(timeline["ids"], "L+", "Ow", "Aw", "Cw")


async def test_stage_changes_pages_with_after(client, timeline):
    everything = await changes(client)
    seen: list[dict[str, Any]] = []
    after = None
    for _ in range(5):
        page = (await gql(client, STAGE_CHANGES, first=4, after=after))["stageChanges"]
        assert page["totalCount"] == len(ALL_ROWS)
        seen += page["nodes"]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
        assert after == page["nodes"][-1]["cursor"]
    assert [node["id"] for node in seen] == [node["id"] for node in everything]

    # A row's own cursor resumes right after it, filters included.
    filtered = await changes(client, accountId=timeline["ids"]["A"])
    page = await gql(
        client,
        STAGE_CHANGES,
        filter={"accountId": timeline["ids"]["A"]},
        first=2,
        after=filtered[3]["cursor"],
    )
    assert [node["id"] for node in page["stageChanges"]["nodes"]] == [
        node["id"] for node in filtered[4:6]
    ]


async def test_record_ids_of_records_without_a_lifecycle_are_refused(client):
    body = await execute(
        client,
        STAGE_CHANGES,
        filter={"recordIds": [global_ids.encode("Product", 1)]},
    )
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


# --- Per-record history fields ----------------------------------------------------------------


async def test_stage_history_pages_and_entered_stage_at(client):
    created_at = ago(days=1)
    account = await create(client, "account", createdAt=created_at)
    assert at(account["enteredStageAt"]) == created_at
    assert 86_400 <= account["timeInStageSeconds"] < 86_400 + 60

    moves = []
    for stage in ("ACQUISITION", "CONVERSION", "RETENTION"):
        payload = moved(await transition(client, "account", account["id"], stage))
        moves.append(payload["stageChange"])
    node = await record(client, account["id"])
    assert node["stageHistory"]["totalCount"] == 4
    assert [row["toStage"] for row in node["stageHistory"]["nodes"]] == [
        "REACH",
        "ACQUISITION",
        "CONVERSION",
        "RETENTION",
    ]
    assert node["enteredStageAt"] == moves[-1]["occurredAt"]
    assert 0 <= node["timeInStageSeconds"] < 60

    first_page = await record(client, account["id"], first=2)
    assert [row["toStage"] for row in first_page["stageHistory"]["nodes"]] == [
        "REACH",
        "ACQUISITION",
    ]
    assert first_page["stageHistory"]["totalCount"] == 4
    rest = await record(
        client, account["id"], first=10, after=first_page["stageHistory"]["nodes"][-1]["cursor"]
    )
    assert [row["toStage"] for row in rest["stageHistory"]["nodes"]] == ["CONVERSION", "RETENTION"]


async def test_entered_stage_at_is_per_record_in_lists(client):
    three_days_ago, an_hour_ago = ago(days=3), ago(hours=1)
    old = await create(client, "account", name="Old", createdAt=three_days_ago)
    new = await create(client, "account", name="New", createdAt=an_hour_ago)
    unmoved = await create(client, "account", name="Unmoved", createdAt=three_days_ago)
    advanced = moved(await transition(client, "account", old["id"], "ADVOCACY"))
    nodes = {
        node["id"]: node for node in (await gql(client, ACCOUNTS_ENTERED))["accounts"]["nodes"]
    }
    assert at(nodes[new["id"]]["enteredStageAt"]) == an_hour_ago
    assert at(nodes[unmoved["id"]]["enteredStageAt"]) == three_days_ago
    assert nodes[old["id"]]["enteredStageAt"] == advanced["stageChange"]["occurredAt"]


async def test_actor_is_the_key_that_made_each_change(client, tenant, member):
    member_client, member_key_id = member
    account = await create(client, "account")
    moved(await transition(member_client, "account", account["id"], "CONVERSION"))
    history = (await record(client, account["id"]))["stageHistory"]["nodes"]
    assert [row["actor"]["id"] for row in history] == [
        key_id(tenant.principal.api_key_id),
        key_id(member_key_id),
    ]
    assert {row["actor"]["kind"] for row in history} == {"API_KEY"}


# --- Append-only ------------------------------------------------------------------------------


async def test_no_mutation_edits_or_deletes_history(client):
    schema = (await gql(client, MUTATIONS))["__schema"]
    mutations = [field["name"] for field in schema["mutationType"]["fields"]]
    assert not [name for name in mutations if "stagechange" in name.lower()]
    assert not [name for name in mutations if "history" in name.lower()]
    inputs = [t["name"] for t in schema["types"] if t["kind"] == "INPUT_OBJECT"]
    # Inputs that only select and sort history; none carries history to write.
    assert sorted(name for name in inputs if "StageChange" in name) == [
        "StageChangeFilter",
        "StageChangeOrder",
    ]


async def test_edits_and_archiving_leave_history_as_it_was(client):
    account = await create(client, "account")
    moved(await transition(client, "account", account["id"], "CONVERSION"))
    before = (await record(client, account["id"]))["stageHistory"]
    ok(
        (
            await gql(
                client,
                UPDATE_ACCOUNT,
                input={"id": account["id"], "name": "Renamed", "phone": "+1 212 555 0199"},
            )
        )["accountUpdate"]
    )
    ok((await gql(client, ARCHIVE_ACCOUNT, input={"id": account["id"]}))["accountArchive"])
    assert (await record(client, account["id"]))["stageHistory"] == before
    assert len(await changes(client, recordIds=[account["id"]])) == 2


# --- Imports ----------------------------------------------------------------------------------


@pytest.mark.parametrize("entity", list(TYPES))
async def test_imported_creation_time_dates_record_and_history(client, entity):
    created_at = ago(days=30)
    created = await create(client, entity, createdAt=created_at)
    assert at(created["createdAt"]) == created_at
    row = created["stageHistory"]["nodes"][0]
    assert at(row["occurredAt"]) == created_at
    assert at(row["recordedAt"]) > created_at + timedelta(days=29)
    assert at(created["enteredStageAt"]) == created_at


async def test_imported_case_has_due_dates_from_its_creation(client):
    created_at = ago(days=2)
    case = await create(client, "case", priority="URGENT", createdAt=created_at)
    node = await record(client, case["id"])
    assert at(node["firstResponseDueAt"]) == created_at + timedelta(hours=1)
    assert at(node["resolutionDueAt"]) == created_at + timedelta(hours=4)


async def test_imported_transition_dates_move_close_and_automatic_moves(client):
    account = await create(client, "account", createdAt=ago(days=20))
    opportunity = await create(
        client, "opportunity", accountId=account["id"], createdAt=ago(days=10)
    )
    won_at = ago(days=3)
    started = now()
    payload = moved(
        await transition(client, "opportunity", opportunity["id"], "CLOSED_WON", occurredAt=won_at)
    )
    assert at(payload["stageChange"]["occurredAt"]) == won_at
    assert at(payload["stageChange"]["recordedAt"]) >= started
    node = await record(client, opportunity["id"])
    assert at(node["closedAt"]) == won_at
    assert at(node["enteredStageAt"]) == won_at
    customer = await record(client, account["id"])
    assert customer["stage"] == "CONVERSION"
    assert at(customer["stageHistory"]["nodes"][-1]["occurredAt"]) == won_at


async def test_imported_first_response(client):
    case = await create(client, "case", createdAt=ago(days=2))
    answered = ago(days=2) + timedelta(minutes=30)
    moved(await transition(client, "case", case["id"], "OPEN", occurredAt=answered))
    node = await record(client, case["id"])
    assert at(node["firstRespondedAt"]) == answered


async def test_imported_conversion_dates_what_it_creates(client):
    lead = await create(client, "lead", company="Engines", createdAt=ago(days=9))
    converted_at = ago(days=7)
    payload = await gql(
        client, CONVERT, input={"leadId": lead["id"], "occurredAt": converted_at.isoformat()}
    )
    result = ok_conversion(payload["leadConvert"])
    assert at(result["lead"]["convertedAt"]) == converted_at
    assert at(result["account"]["createdAt"]) == converted_at
    lead_rows = (await record(client, lead["id"]))["stageHistory"]["nodes"]
    assert at(lead_rows[-1]["occurredAt"]) == converted_at
    account_rows = (await record(client, result["account"]["id"]))["stageHistory"]["nodes"]
    assert at(account_rows[0]["occurredAt"]) == converted_at


def ok_conversion(payload: dict[str, Any]) -> dict[str, Any]:
    assert payload["userErrors"] == [], payload["userErrors"]
    return payload


async def test_import_time_at_the_latest_change_is_accepted(client):
    created_at = ago(days=1)
    account = await create(client, "account", createdAt=created_at)
    payload = moved(
        await transition(client, "account", account["id"], "CONVERSION", occurredAt=created_at)
    )
    assert at(payload["stageChange"]["occurredAt"]) == created_at


@pytest.mark.parametrize("entity", list(TYPES))
async def test_future_creation_time_is_invalid(client, entity):
    data = await gql(
        client,
        CREATE[entity],
        input={
            **{
                "account": {"name": "A"},
                "contact": {"lastName": "D"},
                "lead": {"lastName": "L"},
                "opportunity": {"name": "O"},
                "case": {"subject": "S"},
                "campaign": {"name": "C", "type": "EMAIL"},
            }[entity],
            "createdAt": (now() + timedelta(hours=1)).isoformat(),
        },
    )
    refused(data["result"], "INVALID", ["createdAt"])
    assert await changes(client) == []


@pytest.mark.parametrize(
    ("when", "why"),
    [
        (lambda created: now() + timedelta(hours=1), "future"),
        (lambda created: created - timedelta(seconds=1), "before-creation"),
    ],
)
async def test_invalid_transition_times_change_nothing(client, when, why):
    created_at = ago(days=1)
    account = await create(client, "account", createdAt=created_at)
    before = await record(client, account["id"])
    payload = await transition(
        client, "account", account["id"], "CONVERSION", occurredAt=when(created_at)
    )
    refused(payload, "INVALID", ["occurredAt"])
    assert state(await record(client, account["id"])) == state(before)


async def test_transition_time_before_the_latest_move_is_invalid(client):
    account = await create(client, "account", createdAt=ago(days=10))
    moved(await transition(client, "account", account["id"], "ACQUISITION", occurredAt=ago(days=5)))
    before = await record(client, account["id"])
    payload = await transition(
        client, "account", account["id"], "CONVERSION", occurredAt=ago(days=6)
    )
    refused(payload, "INVALID", ["occurredAt"])
    assert state(await record(client, account["id"])) == state(before)


async def test_transition_time_without_offset_is_invalid(client):
    account = await create(client, "account", createdAt=ago(days=10))
    data = await gql(
        client,
        TRANSITION["account"],
        input={"id": account["id"], "to": "CONVERSION", "occurredAt": "2020-01-01T00:00:00"},
    )
    refused(data["result"], "INVALID", ["occurredAt"])


async def test_conversion_time_before_the_leads_latest_change_is_invalid(client):
    lead = await create(client, "lead", company="Engines")
    before = await record(client, lead["id"])
    payload = await gql(
        client,
        CONVERT,
        input={"leadId": lead["id"], "occurredAt": ago(days=365).isoformat()},
    )
    refused(payload["leadConvert"], "INVALID", ["occurredAt"])
    assert state(await record(client, lead["id"])) == state(before)


async def test_conversion_time_in_the_future_is_invalid(client):
    lead = await create(client, "lead", company="Engines")
    payload = await gql(
        client,
        CONVERT,
        input={"leadId": lead["id"], "occurredAt": (now() + timedelta(hours=1)).isoformat()},
    )
    refused(payload["leadConvert"], "INVALID", ["occurredAt"])
    assert (await record(client, lead["id"]))["stage"] == "OPEN"


async def test_member_keys_cannot_date_the_past(client, member):
    member_client, _ = member
    account = await create(client, "account", createdAt=ago(days=3))
    lead = await create(client, "lead")
    attempts = [
        (CREATE["account"], {"name": "Backdated", "createdAt": ago(days=1).isoformat()}),
        (
            TRANSITION["account"],
            {"id": account["id"], "to": "CONVERSION", "occurredAt": ago(days=1).isoformat()},
        ),
        (CONVERT, {"leadId": lead["id"], "occurredAt": ago(days=1).isoformat()}),
    ]
    before = await changes(client)
    for operation, variables in attempts:
        body = await execute(member_client, operation, input=variables)
        assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN", body
        assert body.get("data") is None
    assert await changes(client) == before
    # Without a time, the same key may move the record.
    moved(await transition(member_client, "account", account["id"], "CONVERSION"))
