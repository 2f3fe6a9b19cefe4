"""Reads load only the columns the selection needs, and every field still resolves.

The SQL is captured as it is sent, so these tests see what the database is asked for.
"""

from __future__ import annotations

import re

import pytest
from graphql import GraphQLList, GraphQLNonNull, GraphQLObjectType, is_leaf_type
from sqlalchemy.exc import InvalidRequestError
from sqlalchemy.orm.exc import DetachedInstanceError

from db.models import Account
from db.session import make_session_factory
from resolvers import global_ids
from resolvers.loaders import records_by_id
from resolvers.queryable import REGISTRY, UnmappedFieldError
from resolvers.records import load_by_ids
from schema.root import schema
from tests.helpers import gql, ok
from tests.test_query_counts import W1, W2, W3, W4

CREATE_ACCOUNT = """mutation($name: String!, $industry: String) {
  accountCreate(input: {name: $name, industry: $industry, website: "acme.example",
                        phone: "+1 555 0100", billingAddress: {city: "Lyon", country: "FR"}}) {
    account { id } userErrors { code } } }"""
CREATE_CONTACT = """mutation($account: ID!, $last: String!) {
  contactCreate(input: {firstName: "Ada", lastName: $last, accountId: $account,
                        email: "ada@example.com", jobTitle: "CTO", phone: "+1 555 0101"}) {
    contact { id } userErrors { code } } }"""
CREATE_OPPORTUNITY = """mutation($account: ID!, $amount: Decimal!) {
  opportunityCreate(input: {name: "Deal", accountId: $account, amount: $amount}) {
    opportunity { id } userErrors { code } } }"""


def select_list(statement: str) -> set[str]:
    """The column names of the outermost SELECT list (`table.column` or `alias.column`)."""
    body = statement.split("SELECT", 1)[1]
    depth, end = 0, len(body)
    for match in re.finditer(r"[()]|\bFROM\b", body):
        token = match.group()
        depth += {"(": 1, ")": -1}.get(token, 0)
        if token == "FROM" and depth == 0:
            end = match.start()
            break
    items = [item.strip().split(" AS ")[0] for item in body[:end].split(",")]
    return {item.rsplit(".", 1)[-1].strip('"') for item in items}


def reads_from(statements: list[str], table: str) -> list[str]:
    """The record reads of `table`: its first FROM names it (a related list reads from a
    ranked subquery of it), counts left out."""
    return [
        s
        for s in statements
        if (first := re.search(r"\bFROM (\w+)", s))
        and first.group(1) == table
        and "count(" not in s
    ]


async def seed(client) -> dict[str, str]:
    account = ok(
        (await gql(client, CREATE_ACCOUNT, name="Acme", industry="Aerospace"))["accountCreate"]
    )
    contact = ok(
        (await gql(client, CREATE_CONTACT, account=account["id"], last="Lovelace"))["contactCreate"]
    )
    for amount in ("100.00", "250.50"):
        ok(
            (await gql(client, CREATE_OPPORTUNITY, account=account["id"], amount=amount))[
                "opportunityCreate"
            ]
        )
    return {"account": account["id"], "contact": contact["id"]}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (W1, {"account": {"id", "name", "lifecycle_stage"}}),
        (W2, {"account": {"id", "name", "industry", "lifecycle_stage"}}),
        (
            W3,
            {
                "account": {"id", "name"},
                "contact": {"id", "first_name", "last_name", "email", "account_id"},
                "opportunity": {"id", "name", "stage", "amount", "account_id"},
            },
        ),
        (
            W4,
            {
                "opportunity": {"id", "name", "amount", "account_id"},
                "account": {"id", "name"},
            },
        ),
    ],
    ids=["W1", "W2", "W3", "W4"],
)
async def test_benchmark_reads_select_only_the_needed_columns(
    client, count_statements, query, expected
):
    ids = await seed(client)
    variables = {"id": ids["account"]} if "$id" in query else {}
    with count_statements() as counter:
        data = await gql(client, query, **variables)
    assert data
    for table, columns in expected.items():
        statements = reads_from(counter.statements, table)
        assert statements, (table, counter.statements)
        for statement in statements:
            assert select_list(statement) == columns, statement
            # Nor does any inner query read a column nobody asked for.
            for unwanted in ("website", "phone", "job_title", "billing_city", "lost_reason"):
                assert unwanted not in statement, statement


async def test_fragments_aliases_and_inline_fragments_resolve_on_loaded_columns(client):
    ids = await seed(client)
    query = """
    fragment Names on Contact { firstName lastName name }
    fragment Where on Account { billingAddress { city country } }
    query($account: ID!, $ids: [ID!]!) {
      node(id: $account) { ... on Node { id } ...Where ... on Account { title: name } }
      nodes(ids: $ids) {
        __typename
        ... on Account { industry website }
        ... on Contact { ...Names account { ...Where industry } }
      }
      accounts(first: 5) {
        edges { cursor node { ...Where } }
        nodes { alias: industry contacts { nodes { ...Names email } } }
      }
    }"""
    data = await gql(client, query, account=ids["account"], ids=[ids["account"], ids["contact"]])
    assert data["node"] == {
        "id": ids["account"],
        "title": "Acme",
        "billingAddress": {"city": "Lyon", "country": "FR"},
    }
    account, contact = data["nodes"]
    assert account == {
        "__typename": "Account",
        "industry": "Aerospace",
        "website": "https://acme.example",
    }
    assert contact == {
        "__typename": "Contact",
        "firstName": "Ada",
        "lastName": "Lovelace",
        "name": "Ada Lovelace",
        "account": {"billingAddress": {"city": "Lyon", "country": "FR"}, "industry": "Aerospace"},
    }
    [edge] = data["accounts"]["edges"]
    assert edge["node"] == {"billingAddress": {"city": "Lyon", "country": "FR"}}
    [node] = data["accounts"]["nodes"]
    assert node["alias"] == "Aerospace"
    assert node["contacts"]["nodes"] == [
        {
            "firstName": "Ada",
            "lastName": "Lovelace",
            "name": "Ada Lovelace",
            "email": "ada@example.com",
        }
    ]


async def test_two_selections_of_one_type_in_a_request_each_get_their_columns(client):
    ids = await seed(client)
    query = """query($id: ID!) {
      opportunities(first: 5) { nodes { account { name } } }
      contacts(first: 5) { nodes { account { website industry } } }
      node(id: $id) { ... on Account {
        a: opportunities(first: 5) { nodes { name } }
        b: opportunities(first: 5) { nodes { amount } pageInfo { endCursor } }
      } }
    }"""
    data = await gql(client, query, id=ids["account"])
    assert data["opportunities"]["nodes"] == [{"account": {"name": "Acme"}}] * 2
    assert data["contacts"]["nodes"] == [
        {"account": {"website": "https://acme.example", "industry": "Aerospace"}}
    ]
    assert data["node"]["a"]["nodes"] == [{"name": "Deal"}, {"name": "Deal"}]
    assert data["node"]["b"]["nodes"] == [{"amount": "100.00"}, {"amount": "250.50"}]
    assert data["node"]["b"]["pageInfo"]["endCursor"]


def _every_field(type_: GraphQLObjectType) -> str:
    """A selection of every field of a type that takes no required argument, each aliased
    (types disagree on the nullability of some names)."""
    parts = []
    for name, field in type_.fields.items():
        if any(isinstance(arg.type, GraphQLNonNull) for arg in field.args.values()):
            continue
        inner = field.type
        while isinstance(inner, GraphQLNonNull | GraphQLList):
            inner = inner.of_type
        selection = "" if is_leaf_type(inner) else " { __typename }"
        parts.append(f"{type_.name}_{name}: {name}{selection}")
    return " ".join(parts)


async def test_every_field_of_every_record_type_resolves_from_its_declared_columns(client, tenant):
    ids = await seed(client)
    created = await gql(
        client,
        """mutation($account: ID!, $contact: ID!) {
          userCreate(input: {name: "U", email: "u@example.com"}) { user { id } }
          productCreate(input: {name: "P", sku: "P-1", unitPrice: "10.00"}) { product { id } }
          campaignCreate(input: {name: "C", type: EMAIL}) { campaign { id } }
          leadCreate(input: {lastName: "L", firstName: "F"}) { lead { id } }
          caseCreate(input: {subject: "S", accountId: $account, contactId: $contact}) { case { id } }
          activityCreate(input: {type: CALL, subject: "A", accountId: $account}) { activity { id } }
        }""",
        **ids,
    )
    product = created["productCreate"]["product"]["id"]
    with_items = await gql(
        client,
        """mutation($product: ID!) { opportunityCreate(input: {name: "O",
             lineItems: [{productId: $product, quantity: "2"}]}) {
           opportunity { id lineItems { nodes { id } } } } }""",
        product=product,
    )
    opportunity = with_items["opportunityCreate"]["opportunity"]
    record_ids = [
        ids["account"],
        ids["contact"],
        opportunity["id"],
        opportunity["lineItems"]["nodes"][0]["id"],
        *(next(iter(payload.values()))["id"] for payload in created.values()),
    ]
    graphql_schema = schema._schema
    fragments = " ".join(
        f"... on {name} {{ {_every_field(graphql_schema.get_type(name))} }}" for name in REGISTRY
    )
    data = await gql(
        client, f"query($ids: [ID!]!) {{ nodes(ids: $ids) {{ {fragments} }} }}", ids=record_ids
    )
    types = {
        global_ids.decode(node[f"{node_type}_id"])[0]
        for node in data["nodes"]
        for node_type in REGISTRY
        if f"{node_type}_id" in node
    }
    assert types == set(REGISTRY)
    assert all(len(node) > 3 for node in data["nodes"])


def test_every_field_of_the_schema_maps_to_columns():
    for name, queryable in REGISTRY.items():
        definition = schema.get_type_by_name(name)
        fields = [field.python_name for field in definition.fields]
        assert queryable.columns(fields) >= {"id"}
    with pytest.raises(UnmappedFieldError):
        REGISTRY["Account"].columns(["no_such_field"])


async def test_a_column_that_was_not_loaded_raises_instead_of_loading(
    engine, tenant, client, count_statements
):
    ids = await seed(client)
    pk = global_ids.decode_as(ids["account"], "Account")
    sessions = make_session_factory(engine)
    only_name = frozenset({"id", "name"})
    # As a DataLoader returns it: its session closed.
    [account] = await records_by_id(
        sessions, Account, principal=tenant.principal, ids=[pk], columns=only_name
    )
    assert account.name == "Acme"
    with pytest.raises(DetachedInstanceError, match="website"):
        _ = account.website
    # Even while its session is open, no hidden query runs.
    async with sessions() as session:
        [account] = await load_by_ids(
            session, Account, principal=tenant.principal, ids=[pk], columns=only_name
        )
        with count_statements() as counter, pytest.raises(InvalidRequestError, match="website"):
            _ = account.website
    assert counter.statements == []
