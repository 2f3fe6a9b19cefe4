"""Relay connections: first/after, last/before, totalCount, limits and cursors."""

from __future__ import annotations

import pytest

from tests.helpers import execute, gql, ok

CREATE = "mutation($name: String!) { accountCreate(input: {name: $name}) { account { id name } userErrors { code } } }"
PAGE = """
query Page($first: Int, $after: String, $last: Int, $before: String) {
  accounts(first: $first, after: $after, last: $last, before: $before) {
    totalCount
    edges { cursor node { name } }
    nodes { name }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}
"""


@pytest.fixture
async def names(client):
    created = []
    for number in range(1, 26):
        name = f"Account {number:02d}"
        ok((await gql(client, CREATE, name=name))["accountCreate"])
        created.append(name)
    return created


def names_of(connection):
    return [edge["node"]["name"] for edge in connection["edges"]]


async def test_default_page_is_20_with_total_count(client, names):
    page = (await gql(client, PAGE))["accounts"]
    assert names_of(page) == names[:20]
    assert [node["name"] for node in page["nodes"]] == names[:20]
    assert page["totalCount"] == 25
    assert page["pageInfo"]["hasNextPage"] is True
    assert page["pageInfo"]["hasPreviousPage"] is False
    assert page["pageInfo"]["startCursor"] == page["edges"][0]["cursor"]
    assert page["pageInfo"]["endCursor"] == page["edges"][-1]["cursor"]


async def test_forward_paging_visits_every_record_once(client, names):
    seen, after = [], None
    while True:
        page = (await gql(client, PAGE, first=7, after=after))["accounts"]
        seen += names_of(page)
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
        assert page["pageInfo"]["hasNextPage"] is True
    assert seen == names


async def test_backward_paging_with_last_and_before(client, names):
    last = (await gql(client, PAGE, last=5))["accounts"]
    assert names_of(last) == names[-5:]
    assert last["pageInfo"]["hasPreviousPage"] is True
    assert last["pageInfo"]["hasNextPage"] is False
    previous = (await gql(client, PAGE, last=5, before=last["pageInfo"]["startCursor"]))["accounts"]
    assert names_of(previous) == names[-10:-5]
    assert previous["pageInfo"]["hasNextPage"] is True


async def test_first_zero_returns_only_the_count(client, names):
    page = (await gql(client, PAGE, first=0))["accounts"]
    assert page["edges"] == []
    assert page["totalCount"] == 25
    assert page["pageInfo"]["hasNextPage"] is True


async def test_records_inserted_while_paging_are_not_repeated(client, names):
    first = (await gql(client, PAGE, first=10))["accounts"]
    ok((await gql(client, CREATE, name="Account 26"))["accountCreate"])
    rest = (await gql(client, PAGE, first=100, after=first["pageInfo"]["endCursor"]))["accounts"]
    assert names_of(first) + names_of(rest) == [*names, "Account 26"]


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"first": 101}, "between 0 and 100"),
        ({"last": -1}, "between 0 and 100"),
        ({"first": 1, "last": 1}, "either `first` or `last`"),
        ({"after": "garbage!"}, "Invalid cursor"),
    ],
)
async def test_bad_paging_arguments_are_clear_errors(client, variables, message):
    body = await execute(client, PAGE, **variables)
    error = body["errors"][0]
    assert message in error["message"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"


async def test_a_cursor_from_another_ordering_is_refused(client, names):
    import base64
    import json

    foreign = base64.urlsafe_b64encode(
        json.dumps({"o": "name,id", "k": ["A", 1]}).encode()
    ).decode()
    body = await execute(client, PAGE, after=foreign)
    assert "different ordering" in body["errors"][0]["message"]


async def test_related_connections_page_per_parent(client):
    account = ok((await gql(client, CREATE, name="Parent"))["accountCreate"])
    for number in range(5):
        await gql(
            client,
            "mutation($a: ID!, $n: String!) { contactCreate(input: {lastName: $n, accountId: $a}) { contact { id } } }",
            a=account["id"],
            n=f"Contact {number}",
        )
    query = """
    query($id: ID!, $after: String) { node(id: $id) { ... on Account {
      contacts(first: 2, after: $after) { totalCount nodes { lastName } pageInfo { hasNextPage hasPreviousPage endCursor } }
    } } }
    """
    first = (await gql(client, query, id=account["id"]))["node"]["contacts"]
    assert [n["lastName"] for n in first["nodes"]] == ["Contact 0", "Contact 1"]
    assert first["totalCount"] == 5
    assert first["pageInfo"]["hasNextPage"] is True
    second = (await gql(client, query, id=account["id"], after=first["pageInfo"]["endCursor"]))[
        "node"
    ]["contacts"]
    assert [n["lastName"] for n in second["nodes"]] == ["Contact 2", "Contact 3"]
    assert second["pageInfo"]["hasPreviousPage"] is True
