"""The workloads W1-W5: the request each server gets for each, with random ids and values.

Each server is asked the same question in its own dialect: our API (`ours`), PostGraphile's
naming (`postgraphile`), and the floor, which reads only the variables of our requests.
"""

from __future__ import annotations

import base64
import json
import random
from dataclasses import dataclass
from datetime import date, timedelta

OURS = "ours"
POSTGRAPHILE = "postgraphile"
FLOOR = "floor"
SERVERS = (OURS, POSTGRAPHILE, FLOOR)

TITLES = {
    "W1": "one account by id (name, lifecycleStage)",
    "W2": "first 50 accounts (id name industry lifecycleStage)",
    "W3": "50 accounts, each with 10 contacts and 10 opportunities",
    "W4": "opportunities of accounts in one industry, by amount, 50",
    "W5": "opportunityUpdate of a random opportunity",
}

_CONTACT = "id firstName lastName email"
_OPPORTUNITY = "id name stage amount"

DOCUMENTS: dict[str, dict[str, str | None]] = {
    OURS: {
        "W1": "query($id: ID!) { node(id: $id) { ... on Account { name lifecycleStage } } }",
        "W2": "{ accounts(first: 50) { nodes { id name industry lifecycleStage } } }",
        "W3": "{ accounts(first: 50) { nodes { id name"
        f" contacts(first: 10) {{ nodes {{ {_CONTACT} }} }}"
        f" opportunities(first: 10) {{ nodes {{ {_OPPORTUNITY} }} }} }} }} }}",
        "W4": "query($industry: String!) { opportunities(first: 50,"
        " filter: {account: {industry: {eq: $industry}}},"
        " orderBy: [{field: AMOUNT, direction: DESC}, {field: ID, direction: ASC}])"
        f" {{ nodes {{ {_OPPORTUNITY} }} }} }}",
        # A field no read workload shows, so that the reads see the same data before and after.
        "W5": "mutation($id: ID!, $day: Date!) { opportunityUpdate(input: {id: $id,"
        " expectedCloseDate: $day}) { opportunity { id expectedCloseDate version }"
        " userErrors { code message } } }",
    },
    POSTGRAPHILE: {
        "W1": "query($id: ID!) { node(id: $id) { ... on Account { name lifecycleStage } } }",
        "W2": "{ allAccounts(first: 50, orderBy: PRIMARY_KEY_ASC, condition: {archivedAt: null})"
        " { nodes { id name industry lifecycleStage } } }",
        "W3": "{ allAccounts(first: 50, orderBy: PRIMARY_KEY_ASC, condition: {archivedAt: null})"
        " { nodes { id name"
        " contactsByAccountId(first: 10, orderBy: PRIMARY_KEY_ASC, condition: {archivedAt: null})"
        f" {{ nodes {{ {_CONTACT} }} }}"
        " opportunitiesByAccountId(first: 10, orderBy: PRIMARY_KEY_ASC,"
        f" condition: {{archivedAt: null}}) {{ nodes {{ {_OPPORTUNITY} }} }} }} }} }}",
        "W4": "query($industry: String!) { allOpportunities(first: 50,"
        " orderBy: [AMOUNT_DESC, PRIMARY_KEY_ASC], condition: {archivedAt: null},"
        " filter: {accountByAccountId: {industry: {equalTo: $industry},"
        f" archivedAt: {{isNull: true}}}}}}) {{ nodes {{ {_OPPORTUNITY} }} }} }}",
        "W5": None,
    },
}
# The floor answers W1-W4 at /w1 ... /w4 and reads only the variables.
DOCUMENTS[FLOOR] = {
    key: DOCUMENTS[OURS][key] or DOCUMENTS[POSTGRAPHILE][key] for key in ("W1", "W2", "W3", "W4")
} | {"W5": None}

WORKLOADS = tuple(TITLES)


@dataclass(frozen=True)
class Sample:
    """Rows of the seeded workspace that requests pick from at random."""

    account_ids: list[int]
    opportunity_ids: list[int]
    industries: list[str]


def our_id(type_name: str, pk: int) -> str:
    return base64.urlsafe_b64encode(f"v1:{type_name}:{pk}".encode()).decode().rstrip("=")


def postgraphile_id(type_name: str, pk: int) -> str:
    """PostGraphile 5's node id: base64 of the JSON ["Type", "pk"] (bigints as strings)."""
    return base64.b64encode(
        json.dumps([type_name, str(pk)], separators=(",", ":")).encode()
    ).decode()


def bodies(server: str, workload: str, sample: Sample, count: int = 1000) -> list[str] | None:
    """Request bodies for `server` (None when it does not support `workload`)."""
    document = DOCUMENTS[server][workload]
    if document is None:
        return None
    # Seeded by the workload only: request i names the same record on every server.
    rng = random.Random(workload)
    node_id = postgraphile_id if server == POSTGRAPHILE else our_id
    result = []
    for number in range(count):
        variables: dict[str, str] = {}
        if workload == "W1":
            variables = {"id": node_id("Account", rng.choice(sample.account_ids))}
        elif workload == "W4":
            variables = {"industry": rng.choice(sample.industries)}
        elif workload == "W5":
            day = date(2027, 1, 1) + timedelta(days=number % 365)
            pk = rng.choice(sample.opportunity_ids)
            variables = {"id": node_id("Opportunity", pk), "day": day.isoformat()}
        result.append(json.dumps({"query": document, "variables": variables}))
        if not variables:  # the same request every time
            break
    return result


def path(server: str, workload: str) -> str:
    return f"/{workload.lower()}" if server == FLOOR else "/graphql"


def problems(workload: str, body: object) -> list[str]:
    """What is wrong with a response body, for a request that must succeed."""
    if not isinstance(body, dict) or body.get("errors") or not isinstance(body.get("data"), dict):
        return [f"not a successful GraphQL response: {str(body)[:300]}"]
    (value,) = body["data"].values()
    if value is None:
        return ["data is null"]
    if workload == "W5":
        return [f"userErrors: {value['userErrors']}"] if value["userErrors"] else []
    if workload in {"W2", "W3", "W4"} and not value.get("nodes"):
        return ["empty list"]
    return []


def comparable(body: dict[str, object], server: str) -> object:
    """The response with PostGraphile's names and ids mapped to ours, to compare answers."""
    text = json.dumps(body["data"])
    if server == POSTGRAPHILE:
        for theirs, ours in (
            ("allAccounts", "accounts"),
            ("allOpportunities", "opportunities"),
            ("contactsByAccountId", "contacts"),
            ("opportunitiesByAccountId", "opportunities"),
        ):
            text = text.replace(f'"{theirs}"', f'"{ours}"')
    data = json.loads(text)
    _drop_ids(data)
    return data


def _drop_ids(value: object) -> None:
    if isinstance(value, dict):
        value.pop("id", None)
        for item in value.values():
            _drop_ids(item)
    elif isinstance(value, list):
        for item in value:
            _drop_ids(item)
