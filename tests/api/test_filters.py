"""Filters and ordering on lists and related lists: operators, relations, keyset order."""

from __future__ import annotations

import pytest

from tests.helpers import execute, gql, ok

CREATE_ACCOUNT = """
mutation($input: AccountCreateInput!) { accountCreate(input: $input) { account { id name } userErrors { code field message } } }
"""
CREATE_CONTACT = """
mutation($input: ContactCreateInput!) { contactCreate(input: $input) { contact { id } userErrors { code field message } } }
"""
CREATE_OPPORTUNITY = """
mutation($input: OpportunityCreateInput!) { opportunityCreate(input: $input) { opportunity { id } userErrors { code field message } } }
"""
CREATE_CASE = """
mutation($input: CaseCreateInput!) { caseCreate(input: $input) { case { id } userErrors { code field message } } }
"""
CLOSE_CASE = """
mutation($id: ID!) { caseTransition(input: {id: $id, to: RESOLVED}) { case { status } userErrors { code message } } }
"""
ACCOUNTS = """
query($filter: AccountFilter, $orderBy: [AccountOrder!], $first: Int, $after: String) {
  accounts(filter: $filter, orderBy: $orderBy, first: $first, after: $after) {
    totalCount nodes { name } pageInfo { hasNextPage endCursor }
  }
}
"""
CONTACTS = "query($filter: ContactFilter) { contacts(filter: $filter) { nodes { lastName } } }"
OPPORTUNITIES = """
query($filter: OpportunityFilter, $orderBy: [OpportunityOrder!]) {
  opportunities(filter: $filter, orderBy: $orderBy) { nodes { name amount } }
}
"""


async def account(client, **fields):
    return ok((await gql(client, CREATE_ACCOUNT, input=fields))["accountCreate"])


@pytest.fixture
async def world(client):
    acme = await account(
        client, name="Acme", industry="Aerospace", employeeCount=500, annualRevenue="1000000.00"
    )
    globex = await account(client, name="Globex", industry="Retail", employeeCount=50)
    initech = await account(client, name="Initech", employeeCount=None)
    for last, acc in (("Ames", acme), ("Baker", acme), ("Chen", globex), ("Diaz", None)):
        fields = {"lastName": last, "email": f"{last.lower()}@example.com"}
        if acc:
            fields["accountId"] = acc["id"]
        ok((await gql(client, CREATE_CONTACT, input=fields))["contactCreate"])
    for name, amount, acc in (
        ("Big", "900.00", acme),
        ("Small", "10.00", globex),
        ("Mid", "300.00", acme),
        ("None", None, initech),
    ):
        fields = {"name": name, "accountId": acc["id"]}
        if amount:
            fields["amount"] = amount
        ok((await gql(client, CREATE_OPPORTUNITY, input=fields))["opportunityCreate"])
    open_case = ok(
        (await gql(client, CREATE_CASE, input={"subject": "Open", "accountId": globex["id"]}))[
            "caseCreate"
        ]
    )
    closed = ok(
        (await gql(client, CREATE_CASE, input={"subject": "Done", "accountId": initech["id"]}))[
            "caseCreate"
        ]
    )
    await gql(client, CLOSE_CASE, id=closed["id"])
    return {"acme": acme, "globex": globex, "initech": initech, "open_case": open_case}


async def names(client, query, field, **variables):
    data = await gql(client, query, **variables)
    return [node["name" if "name" in node else "lastName"] for node in data[field]["nodes"]]


@pytest.mark.parametrize(
    ("filter", "expected"),
    [
        ({"name": {"eq": "Acme"}}, ["Acme"]),
        ({"name": {"neq": "Acme"}}, ["Globex", "Initech"]),
        ({"name": {"in": ["Acme", "Initech"]}}, ["Acme", "Initech"]),
        ({"name": {"notIn": ["Acme"]}}, ["Globex", "Initech"]),
        ({"name": {"contains": "LOB"}}, ["Globex"]),
        ({"name": {"startsWith": "in"}}, ["Initech"]),
        ({"industry": {"isNull": True}}, ["Initech"]),
        ({"industry": {"isNull": False}}, ["Acme", "Globex"]),
        ({"employeeCount": {"gte": 50, "lt": 500}}, ["Globex"]),
        ({"annualRevenue": {"gt": "999999.99"}}, ["Acme"]),
        ({"lifecycleStage": {"eq": "REACH"}}, ["Acme", "Globex", "Initech"]),
        ({"lifecycleStage": {"notIn": ["REACH"]}}, []),
        ({"or": [{"name": {"eq": "Acme"}}, {"industry": {"eq": "Retail"}}]}, ["Acme", "Globex"]),
        ({"and": [{"employeeCount": {"gt": 10}}, {"not": {"name": {"eq": "Acme"}}}]}, ["Globex"]),
        ({"contacts": {"some": {"lastName": {"startsWith": "b"}}}}, ["Acme"]),
        ({"contacts": {"none": {}}}, ["Initech"]),
        (
            {"cases": {"some": {"status": {"in": ["NEW", "OPEN", "PENDING", "ESCALATED"]}}}},
            ["Globex"],
        ),
        ({"opportunities": {"some": {"amount": {"gte": "500"}}}, "cases": {"none": {}}}, ["Acme"]),
    ],
)
async def test_account_filters(client, world, filter, expected):
    assert await names(client, ACCOUNTS, "accounts", filter=filter) == expected


async def test_filters_across_a_to_one_relation(client, world):
    assert await names(
        client, CONTACTS, "contacts", filter={"account": {"industry": {"eq": "Aerospace"}}}
    ) == ["Ames", "Baker"]
    assert await names(client, CONTACTS, "contacts", filter={"accountId": {"isNull": True}}) == [
        "Diaz"
    ]
    assert await names(
        client, CONTACTS, "contacts", filter={"accountId": {"eq": world["globex"]["id"]}}
    ) == ["Chen"]


async def test_ordering_by_several_fields_with_nulls_last_going_up(client, world):
    ordered = await names(client, OPPORTUNITIES, "opportunities", orderBy=[{"field": "AMOUNT"}])
    assert ordered == ["Small", "Mid", "Big", "None"]
    descending = await names(
        client, OPPORTUNITIES, "opportunities", orderBy=[{"field": "AMOUNT", "direction": "DESC"}]
    )
    assert descending == ["None", "Big", "Mid", "Small"]
    by_account_then_name = await names(
        client,
        OPPORTUNITIES,
        "opportunities",
        orderBy=[{"field": "ACCOUNT_ID"}, {"field": "NAME", "direction": "DESC"}],
    )
    assert by_account_then_name == ["Mid", "Big", "Small", "None"]


@pytest.mark.parametrize("direction", ["ASC", "DESC"])
async def test_keyset_paging_over_a_nullable_order_visits_each_record_once(client, direction):
    for number in range(9):
        count = None if number % 3 == 0 else number % 4
        await account(client, name=f"A{number}", employeeCount=count)
    seen, after = [], None
    while True:
        page = (
            await gql(
                client,
                ACCOUNTS,
                first=2,
                after=after,
                orderBy=[{"field": "EMPLOYEE_COUNT", "direction": direction}],
            )
        )["accounts"]
        seen += [node["name"] for node in page["nodes"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    everything = await names(
        client,
        ACCOUNTS,
        "accounts",
        orderBy=[{"field": "EMPLOYEE_COUNT", "direction": direction}],
        first=100,
    )
    assert seen == everything
    assert sorted(seen) == sorted(f"A{n}" for n in range(9))


async def test_a_cursor_used_with_another_order_is_refused(client, world):
    page = (await gql(client, ACCOUNTS, first=1, orderBy=[{"field": "NAME"}]))["accounts"]
    body = await execute(
        client,
        ACCOUNTS,
        first=1,
        after=page["pageInfo"]["endCursor"],
        orderBy=[{"field": "EMPLOYEE_COUNT"}],
    )
    assert "different ordering" in body["errors"][0]["message"]
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_related_connections_take_filters_and_order(client, world):
    query = """
    query($id: ID!) { node(id: $id) { ... on Account {
      opportunities(filter: {amount: {gt: "100"}}, orderBy: [{field: AMOUNT, direction: DESC}]) { totalCount nodes { name } }
      contacts(orderBy: [{field: LAST_NAME, direction: DESC}]) { nodes { lastName } }
    } } }
    """
    data = (await gql(client, query, id=world["acme"]["id"]))["node"]
    assert data["opportunities"] == {"totalCount": 2, "nodes": [{"name": "Big"}, {"name": "Mid"}]}
    assert data["contacts"]["nodes"] == [{"lastName": "Baker"}, {"lastName": "Ames"}]


async def test_bad_filter_values_are_clear_errors(client, world):
    body = await execute(client, CONTACTS, filter={"accountId": {"eq": "nonsense"}})
    assert "is not a Account id" in body["errors"][0]["message"]
    body = await execute(client, ACCOUNTS, filter={"createdAt": {"gt": "2026-01-01T00:00:00"}})
    assert "UTC offset" in body["errors"][0]["message"]
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_filters_never_reach_another_workspace(client, world, app, engine):
    import httpx

    from tests.conftest import make_tenant

    other = await make_tenant(engine)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),
        base_url="http://t",
        headers={"Authorization": f"Bearer {other.key}"},
    ) as intruder:
        assert await names(intruder, ACCOUNTS, "accounts", filter={"name": {"eq": "Acme"}}) == []
        assert (
            await names(
                intruder, CONTACTS, "contacts", filter={"account": {"name": {"eq": "Acme"}}}
            )
            == []
        )
