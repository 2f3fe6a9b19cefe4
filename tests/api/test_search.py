"""search(query, types, first): one box across accounts, contacts, leads and opportunities."""

from __future__ import annotations

import pytest

from tests.helpers import execute, gql, ok

SEARCH = """
query($text: String!, $types: [SearchType!], $first: Int! = 10) {
  search(query: $text, types: $types, first: $first) {
    type score
    node { id ... on Account { name } ... on Contact { lastName } ... on Lead { company } ... on Opportunity { name } }
  }
}
"""
CREATE = {
    "account": "mutation($i: AccountCreateInput!) { accountCreate(input: $i) { account { id } userErrors { code } } }",
    "contact": "mutation($i: ContactCreateInput!) { contactCreate(input: $i) { contact { id } userErrors { code } } }",
    "lead": "mutation($i: LeadCreateInput!) { leadCreate(input: $i) { lead { id } userErrors { code } } }",
    "opportunity": "mutation($i: OpportunityCreateInput!) { opportunityCreate(input: $i) { opportunity { id } userErrors { code } } }",
}
UPDATE_ACCOUNT = "mutation($i: AccountUpdateInput!) { accountUpdate(input: $i) { account { id } userErrors { code } } }"
ARCHIVE_ACCOUNT = (
    "mutation($id: ID!) { accountArchive(input: {id: $id}) { account { id } userErrors { code } } }"
)


async def create(client, kind, **fields):
    data = await gql(client, CREATE[kind], i=fields)
    return ok(data[f"{kind}Create"])


@pytest.fixture
async def records(client):
    return {
        "acme": await create(client, "account", name="Acme Rockets", phone="+1 555 0100"),
        "ada": await create(
            client, "contact", firstName="Ada", lastName="Lovelace", email="ada@analytical.org"
        ),
        "lead": await create(client, "lead", lastName="Babbage", company="Acme Difference Engines"),
        "deal": await create(client, "opportunity", name="Acme renewal 2027"),
        "other": await create(client, "account", name="Globex"),
    }


def found(data):
    return [(hit["type"], hit["node"]["id"]) for hit in data["search"]]


async def test_a_word_prefix_finds_records_of_every_type(client, records):
    data = await gql(client, SEARCH, text="acm")
    assert sorted(found(data)) == sorted(
        [
            ("ACCOUNT", records["acme"]["id"]),
            ("LEAD", records["lead"]["id"]),
            ("OPPORTUNITY", records["deal"]["id"]),
        ]
    )
    assert all(hit["score"] > 0 for hit in data["search"])


async def test_every_word_must_match_and_types_narrow_the_search(client, records):
    assert found(await gql(client, SEARCH, text="acme renewal")) == [
        ("OPPORTUNITY", records["deal"]["id"])
    ]
    assert found(await gql(client, SEARCH, text="acme", types=["LEAD"])) == [
        ("LEAD", records["lead"]["id"])
    ]


async def test_email_and_phone_are_searchable(client, records):
    assert found(await gql(client, SEARCH, text="ada@analytical.org")) == [
        ("CONTACT", records["ada"]["id"])
    ]
    assert found(await gql(client, SEARCH, text="0100")) == [("ACCOUNT", records["acme"]["id"])]


async def test_better_matches_rank_first(client, records):
    await create(client, "account", name="Acme Acme Acme")
    data = await gql(client, SEARCH, text="acme", types=["ACCOUNT"])
    assert data["search"][0]["node"]["name"] == "Acme Acme Acme"
    scores = [hit["score"] for hit in data["search"]]
    assert scores == sorted(scores, reverse=True)


async def test_the_index_follows_updates_and_archiving(client, records):
    await gql(client, UPDATE_ACCOUNT, i={"id": records["other"]["id"], "name": "Initech"})
    assert found(await gql(client, SEARCH, text="globex")) == []
    assert found(await gql(client, SEARCH, text="initech")) == [
        ("ACCOUNT", records["other"]["id"])
    ]
    await gql(client, ARCHIVE_ACCOUNT, id=records["other"]["id"])
    assert found(await gql(client, SEARCH, text="initech")) == []


async def test_first_limits_the_results(client, records):
    assert len((await gql(client, SEARCH, text="acme", first=2))["search"]) == 2


@pytest.mark.parametrize(
    ("query", "first", "message"),
    [
        ("   ", 10, "at least one word"),
        ("acme", 0, "between 1 and 50"),
        ("acme", 51, "between 1 and 50"),
    ],
)
async def test_bad_searches_are_clear_errors(client, records, query, first, message):
    body = await execute(client, SEARCH, text=query, first=first)
    assert message in body["errors"][0]["message"]
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_search_syntax_is_just_text(client, records):
    for hostile in (
        'acme" OR "x',
        "acme:* | globex",
        "NEAR(acme globex)",
        "'; DROP TABLE account; --",
    ):
        body = await execute(client, SEARCH, text=hostile)
        assert "errors" not in body or body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_search_stays_in_the_workspace(client, records, app, engine):
    import httpx

    from tests.conftest import make_tenant

    other = await make_tenant(engine)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),
        base_url="http://t",
        headers={"Authorization": f"Bearer {other.key}"},
    ) as intruder:
        assert (await gql(intruder, SEARCH, text="acme"))["search"] == []
