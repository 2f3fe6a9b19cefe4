"""The guard against N+1: a nested list costs the same number of statements for 3 rows or 30."""

from __future__ import annotations

import uuid
from typing import Any

from strawberry.extensions import ParserCache, ValidationCache

from schema.extensions import EXTENSIONS
from tests.helpers import gql, ok

CREATE_USER = 'mutation { userCreate(input: {name: "Owner", email: "owner@example.com"}) { user { id } userErrors { code } } }'
CREATE_ACCOUNT = "mutation($name: String!, $owner: ID) { accountCreate(input: {name: $name, ownerId: $owner}) { account { id } userErrors { code } } }"
CREATE_CONTACT = 'mutation($account: ID!) { contactCreate(input: {lastName: "C", accountId: $account, email: "c@example.com"}) { contact { id } userErrors { code } } }'
CREATE_OPPORTUNITY = 'mutation($account: ID!) { opportunityCreate(input: {name: "Deal", accountId: $account, amount: "100.00"}) { opportunity { id } userErrors { code } } }'

NESTED = """
{
  accounts(first: 50) {
    totalCount
    nodes {
      id name lifecycleStage owner { name }
      contacts(first: 10) { totalCount nodes { id firstName lastName email account { name } } }
      opportunities(first: 10) { nodes { id name stage amount } }
    }
  }
}
"""

# Accounts page, its count, owners, contacts page, contacts count, contacts' accounts,
# opportunities page. (The API key was looked up by the seeding requests and is cached.)
EXPECTED_STATEMENTS = 7


async def seed(client, owner_id: str, accounts: int) -> None:
    for number in range(accounts):
        account = ok(
            (await gql(client, CREATE_ACCOUNT, name=f"A{number}", owner=owner_id))["accountCreate"]
        )
        for _ in range(2):
            ok((await gql(client, CREATE_CONTACT, account=account["id"]))["contactCreate"])
        ok((await gql(client, CREATE_OPPORTUNITY, account=account["id"]))["opportunityCreate"])


async def statements_for(client, count_statements) -> tuple[int, dict]:
    with count_statements() as counter:
        data = await gql(client, NESTED)
    return counter.count, data


async def test_nested_list_runs_a_fixed_number_of_statements(client, count_statements):
    owner = ok((await gql(client, CREATE_USER))["userCreate"])
    await seed(client, owner["id"], 3)
    few, data = await statements_for(client, count_statements)
    assert data["accounts"]["totalCount"] == 3
    await seed(client, owner["id"], 27)
    many, data = await statements_for(client, count_statements)
    assert data["accounts"]["totalCount"] == 30
    assert all(len(node["contacts"]["nodes"]) == 2 for node in data["accounts"]["nodes"])
    assert all(node["owner"] == {"name": "Owner"} for node in data["accounts"]["nodes"])
    assert few == many == EXPECTED_STATEMENTS


W1 = "query($id: ID!) { node(id: $id) { id ... on Account { name lifecycleStage } } }"
W2 = "{ accounts(first: 50) { nodes { id name industry lifecycleStage } } }"
W3 = """
{ accounts(first: 50) { nodes {
    id name
    contacts(first: 10) { nodes { id firstName lastName email } }
    opportunities(first: 10) { nodes { id name stage amount } }
} } }
"""
W4 = """
{ opportunities(first: 50, filter: {account: {industry: {eq: "Aerospace"}}},
                orderBy: [{field: AMOUNT, direction: DESC}]) {
    nodes { id name amount account { name } }
} }
"""


async def test_benchmark_reads_run_at_most_depth_plus_one_statements(client, count_statements):
    owner = ok((await gql(client, CREATE_USER))["userCreate"])
    await seed(client, owner["id"], 12)
    first = (await gql(client, "{ accounts(first: 1) { nodes { id } } }"))["accounts"]["nodes"][0]
    await gql(
        client,
        'mutation($id: ID!) { accountUpdate(input: {id: $id, industry: "Aerospace"}) { userErrors { code } } }',
        id=first["id"],
    )
    for query, variables, depth in (
        (W1, {"id": first["id"]}, 1),
        (W2, {}, 1),
        (W3, {}, 2),
        (W4, {}, 2),
    ):
        with count_statements() as counter:
            data = await gql(client, query, **variables)
        assert data
        assert counter.count <= depth + 1, (query, counter.statements)


COUNTED_PAGE = "{ accounts(first: 5) { %s nodes { id } } }"


async def test_total_count_runs_only_when_selected(client, count_statements):
    for number in range(8):
        ok((await gql(client, CREATE_ACCOUNT, name=f"A{number}", owner=None))["accountCreate"])
    with count_statements() as without_count:
        data = await gql(client, COUNTED_PAGE % "")
    assert len(data["accounts"]["nodes"]) == 5
    with count_statements() as with_count:
        data = await gql(client, COUNTED_PAGE % "totalCount")
    assert data["accounts"]["totalCount"] == 8
    assert (without_count.count, with_count.count) == (1, 2), (
        without_count.statements,
        with_count.statements,
    )


def _document_caches() -> tuple[Any, Any]:
    """The parse and validation caches as the API's schema configures them (strawberry
    keeps each in an lru_cache shared by every request)."""
    extensions = [factory() for factory in EXTENSIONS]
    parser = next(ext for ext in extensions if isinstance(ext, ParserCache))
    validator = next(ext for ext in extensions if isinstance(ext, ValidationCache))
    return parser.cached_parse_document, validator.cached_validate_document


async def test_a_repeated_document_is_parsed_and_validated_once(client):
    parse, validate = _document_caches()
    # A document no earlier test sent, so that its first run must miss both caches.
    document = f"query Cached{uuid.uuid4().hex} {{ accounts(first: 1) {{ nodes {{ id }} }} }}"
    before_parse, before_validate = parse.cache_info(), validate.cache_info()
    await gql(client, document)
    parsed, validated = parse.cache_info(), validate.cache_info()
    assert (parsed.misses, validated.misses) == (
        before_parse.misses + 1,
        before_validate.misses + 1,
    )
    await gql(client, document)
    assert parse.cache_info().hits == parsed.hits + 1
    assert parse.cache_info().misses == parsed.misses
    assert validate.cache_info().hits == validated.hits + 1
    assert validate.cache_info().misses == validated.misses
