"""Filters and ordering on lists and related lists: operators, relations, keyset order."""

from __future__ import annotations

import pytest

from tests.builders import History
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


@pytest.mark.parametrize(
    ("filter", "expected"),
    [
        ({"employeeCount": {"eq": 50}}, ["Globex"]),
        # Not equal never matches a missing value: Initech has no employee count.
        ({"employeeCount": {"neq": 50}}, ["Acme"]),
        ({"employeeCount": {"lte": 50}}, ["Globex"]),
        ({"employeeCount": {"lte": 500}}, ["Acme", "Globex"]),
        ({"employeeCount": {"in": [500, 7]}}, ["Acme"]),
        ({"employeeCount": {"isNull": True}}, ["Initech"]),
        ({"employeeCount": {"isNull": False}}, ["Acme", "Globex"]),
        ({"annualRevenue": {"eq": "1000000"}}, ["Acme"]),
        ({"annualRevenue": {"neq": "1000000.00"}}, []),
        ({"annualRevenue": {"lte": "1000000.00"}}, ["Acme"]),
        ({"annualRevenue": {"lte": "999999.99"}}, []),
        ({"annualRevenue": {"in": ["5.00", "1000000.00"]}}, ["Acme"]),
        ({"annualRevenue": {"isNull": True}}, ["Globex", "Initech"]),
    ],
)
async def test_int_and_money_filters_on_accounts(client, world, filter, expected):
    assert await names(client, ACCOUNTS, "accounts", filter=filter) == expected


@pytest.mark.parametrize(
    ("filter", "expected"),
    [
        ({"amount": {"eq": "300"}}, ["Mid"]),
        ({"amount": {"neq": "300.00"}}, ["Big", "Small"]),
        ({"amount": {"lte": "300.00"}}, ["Small", "Mid"]),
        # To the cent: 299.99 is below Mid's 300.00.
        ({"amount": {"lte": "299.99"}}, ["Small"]),
        ({"amount": {"in": ["10", "900.00"]}}, ["Big", "Small"]),
        ({"amount": {"isNull": True}}, ["None"]),
        ({"amount": {"isNull": False}}, ["Big", "Small", "Mid"]),
    ],
)
async def test_money_filters_on_opportunities(client, world, filter, expected):
    assert await names(client, OPPORTUNITIES, "opportunities", filter=filter) == expected


DATED_LISTS = {
    # entity: (root list, its filter type, its date field)
    "opportunity": ("opportunities", "OpportunityFilter", "expectedCloseDate"),
    "campaign": ("campaigns", "CampaignFilter", "startDate"),
}


@pytest.mark.parametrize("entity", list(DATED_LISTS))
@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ({"gt": "2026-03-31"}, ["June", "December"]),
        ({"lte": "2026-06-30"}, ["March", "June"]),
        ({"gt": "2026-03-31", "lte": "2026-06-30"}, ["June"]),
        ({"eq": "2026-06-30"}, ["June"]),
        ({"in": ["2026-03-31", "2026-12-01"]}, ["March", "December"]),
        ({"isNull": True}, ["Undated"]),
        ({"isNull": False}, ["March", "June", "December"]),
    ],
)
async def test_date_filters(client, entity, condition, expected):
    field_name, filter_type, date_field = DATED_LISTS[entity]
    history = History(client)
    for name, day in (
        ("March", "2026-03-31"),
        ("June", "2026-06-30"),
        ("December", "2026-12-01"),
        ("Undated", None),
    ):
        await history.create(entity, name=name, **({date_field: day} if day else {}))
    query = (
        f"query($filter: {filter_type}) {{ {field_name}(filter: $filter) {{ nodes {{ name }} }} }}"
    )
    found = await names(client, query, field_name, filter={date_field: condition})
    assert found == expected


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        # 13:30+02:00 is 11:30 UTC: both are later. Read as 13:30 UTC, only Afternoon is.
        ({"gt": "2026-01-10T13:30:00+02:00"}, ["Noon", "Afternoon"]),
        # 08:30-05:00 is 13:30 UTC: only Noon is earlier. Read as 08:30 UTC, none is.
        ({"lt": "2026-01-10T08:30:00-05:00"}, ["Noon"]),
        # The next calendar day in Auckland, 13:00 UTC, between the two.
        ({"gt": "2026-01-11T01:00:00+12:00"}, ["Afternoon"]),
        ({"lt": "2026-01-11T01:00:00+12:00"}, ["Noon"]),
        # Exactly Afternoon's time, written in another zone: strict comparisons exclude it.
        ({"gt": "2026-01-10T12:00:00Z", "lt": "2026-01-10T15:00:00+01:00"}, []),
        ({"gt": "2026-01-10T12:00:00Z", "lt": "2026-01-10T15:00:01+01:00"}, ["Afternoon"]),
    ],
)
async def test_timestamp_filters_respect_the_utc_offset(client, condition, expected):
    history = History(client)
    await history.create("account", name="Noon", at="2026-01-10T12:00")
    await history.create("account", name="Afternoon", at="2026-01-10T14:00")
    found = await names(client, ACCOUNTS, "accounts", filter={"createdAt": condition})
    assert found == expected


async def test_enum_neq_keeps_every_other_stage(client):
    history = History(client)
    await history.create("account", name="Prospect")
    retained = await history.create("account", name="Customer", at="2025-12-01")
    await history.move("account", retained, "RETENTION", at="2026-01-01")
    acquired = await history.create("account", name="Trial", at="2025-12-01")
    await history.move("account", acquired, "ACQUISITION", at="2026-01-01")
    assert await names(
        client, ACCOUNTS, "accounts", filter={"lifecycleStage": {"neq": "REACH"}}
    ) == ["Customer", "Trial"]
    assert await names(
        client, ACCOUNTS, "accounts", filter={"lifecycleStage": {"neq": "RETENTION"}}
    ) == ["Prospect", "Trial"]


async def test_reference_in_matches_any_of_the_records(client, world):
    acme, globex, initech = (world[name]["id"] for name in ("acme", "globex", "initech"))
    in_accounts = {"accountId": {"in": [acme, globex]}}
    assert await names(client, CONTACTS, "contacts", filter=in_accounts) == [
        "Ames",
        "Baker",
        "Chen",
    ]
    assert await names(
        client, CONTACTS, "contacts", filter={"accountId": {"in": [globex, initech]}}
    ) == ["Chen"]
    assert await names(client, CONTACTS, "contacts", filter={"accountId": {"in": []}}) == []


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


async def test_opportunities_of_accounts_in_retention(client):
    history = History(client)
    customer = await history.create("account", name="Customer", at="2025-12-01")
    await history.move("account", customer, "RETENTION", at="2026-01-01")
    prospect = await history.create("account", name="Prospect")
    await history.create("opportunity", name="Renewal", accountId=customer)
    await history.create("opportunity", name="First deal", accountId=prospect)
    await history.create("opportunity", name="Upsell", accountId=customer)
    await history.create("opportunity", name="Orphan")
    found = await names(
        client,
        OPPORTUNITIES,
        "opportunities",
        filter={"account": {"lifecycleStage": {"eq": "RETENTION"}}},
    )
    assert found == ["Renewal", "Upsell"]


async def test_cases_of_accounts_owned_by_a_user(client):
    history = History(client)
    ada = await history.create("user", name="Ada", email="ada@example.com")
    bob = await history.create("user", name="Bob", email="bob@example.com")
    adas = await history.create("account", name="Ada's", ownerId=ada)
    bobs = await history.create("account", name="Bob's", ownerId=bob)
    nobodys = await history.create("account", name="Nobody's")
    for subject, account_id in (
        ("Ada 1", adas),
        ("Bob 1", bobs),
        ("Nobody 1", nobodys),
        ("No account", None),
        ("Ada 2", adas),
    ):
        fields = {"accountId": account_id} if account_id else {}
        await history.create("case", subject=subject, **fields)
    query = "query($filter: CaseFilter) { cases(filter: $filter) { nodes { subject } } }"

    async def subjects(filter):
        return [
            node["subject"] for node in (await gql(client, query, filter=filter))["cases"]["nodes"]
        ]

    assert await subjects({"account": {"ownerId": {"eq": ada}}}) == ["Ada 1", "Ada 2"]
    # The same through the owner's own fields, two relations away.
    assert await subjects({"account": {"owner": {"name": {"eq": "Bob"}}}}) == ["Bob 1"]


async def test_leads_from_email_campaigns(client):
    history = History(client)
    newsletter = await history.create("campaign", name="Newsletter", type="EMAIL")
    webinar = await history.create("campaign", name="Webinar", type="WEBINAR")
    drip = await history.create("campaign", name="Drip", type="EMAIL")
    for last_name, campaign_id in (
        ("Ames", newsletter),
        ("Baker", webinar),
        ("Chen", None),
        ("Diaz", drip),
    ):
        fields = {"campaignId": campaign_id} if campaign_id else {}
        await history.create("lead", lastName=last_name, **fields)
    query = "query($filter: LeadFilter) { leads(filter: $filter) { nodes { lastName } } }"
    data = await gql(client, query, filter={"campaign": {"type": {"eq": "EMAIL"}}})
    assert [node["lastName"] for node in data["leads"]["nodes"]] == ["Ames", "Diaz"]


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


TIES = """
query($orderBy: [AccountOrder!], $first: Int, $after: String) {
  accounts(orderBy: $orderBy, first: $first, after: $after) {
    nodes { id name industry } pageInfo { hasNextPage endCursor }
  }
}
"""


@pytest.mark.parametrize(
    ("field", "direction", "expected"),
    [
        ("NAME", "ASC", ["Alpha", "Tie 1", "Tie 2", "Tie 3", "Zulu"]),
        ("NAME", "DESC", ["Zulu", "Tie 1", "Tie 2", "Tie 3", "Alpha"]),
        # Nulls tie too: last going up, first going down, and among themselves by id.
        ("EMPLOYEE_COUNT", "ASC", ["Alpha", "Zulu", "Tie 1", "Tie 2", "Tie 3"]),
        ("EMPLOYEE_COUNT", "DESC", ["Tie 1", "Tie 2", "Tie 3", "Alpha", "Zulu"]),
    ],
)
async def test_tied_sort_values_come_back_in_id_order(client, field, direction, expected):
    """The id breaks ties going up, whichever way the sort key goes."""
    history = History(client)
    created = {}
    for label, employees in (
        ("Tie 1", None),
        ("Alpha", 10),
        ("Tie 2", None),
        ("Zulu", 10),
        ("Tie 3", None),
    ):
        name, _, industry = label.partition(" ")
        fields = {"industry": industry} if industry else {}
        created[label] = await history.create(
            "account", name=name, employeeCount=employees, **fields
        )
    # Rewriting the first tie moves its row behind the others on disk (PostgreSQL), so an
    # order that left ties to the database would likely show it last.
    await history.update("account", created["Tie 1"], website="https://tie.example")
    order_by = [{"field": field, "direction": direction}]

    def labels(nodes):
        return [" ".join(filter(None, (node["name"], node["industry"]))) for node in nodes]

    nodes = (await gql(client, TIES, orderBy=order_by))["accounts"]["nodes"]
    assert labels(nodes) == expected
    assert [node["id"] for node in nodes] == [created[label] for label in expected]
    # Page by page the ties keep the same order: the cursor carries the id.
    paged, after = [], None
    while True:
        page = (await gql(client, TIES, orderBy=order_by, first=2, after=after))["accounts"]
        paged += labels(page["nodes"])
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert paged == expected


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
