"""node(id:) and nodes(ids:): any record of the workspace by its opaque id, null otherwise."""

from __future__ import annotations

from resolvers import global_ids
from tests.helpers import execute, gql, ok

NODES = """
query($ids: [ID!]!) {
  nodes(ids: $ids) {
    __typename id
    ... on Account { name }
    ... on Contact { lastName }
    ... on Product { sku }
    ... on User { email }
  }
}
"""


async def test_nodes_resolve_each_type_in_order_and_null_for_unknown(client):
    account = ok(
        (
            await gql(
                client,
                'mutation { accountCreate(input: {name: "A"}) { account { id } userErrors { code } } }',
            )
        )["accountCreate"]
    )
    contact = ok(
        (
            await gql(
                client,
                'mutation { contactCreate(input: {lastName: "L"}) { contact { id } userErrors { code } } }',
            )
        )["contactCreate"]
    )
    product = ok(
        (
            await gql(
                client,
                'mutation { productCreate(input: {name: "P", sku: "P-1", unitPrice: "9.99"}) { product { id } userErrors { code } } }',
            )
        )["productCreate"]
    )
    user = ok(
        (
            await gql(
                client,
                'mutation { userCreate(input: {name: "U", email: "u@example.com"}) { user { id } userErrors { code } } }',
            )
        )["userCreate"]
    )
    unknown = [
        "not-an-id",
        global_ids.encode("Account", 999_999_999),
        global_ids.encode("Spaceship", 1),
        "djE6",
    ]
    ids = [contact["id"], *unknown, account["id"], product["id"], user["id"]]
    data = await gql(client, NODES, ids=ids)
    assert data["nodes"] == [
        {"__typename": "Contact", "id": contact["id"], "lastName": "L"},
        None,
        None,
        None,
        None,
        {"__typename": "Account", "id": account["id"], "name": "A"},
        {"__typename": "Product", "id": product["id"], "sku": "P-1"},
        {"__typename": "User", "id": user["id"], "email": "u@example.com"},
    ]


async def test_ids_are_opaque_and_stable(client):
    account = ok(
        (
            await gql(
                client,
                'mutation { accountCreate(input: {name: "A"}) { account { id } userErrors { code } } }',
            )
        )["accountCreate"]
    )
    assert "Account" not in account["id"]
    again = await gql(client, "query($id: ID!) { node(id: $id) { id } }", id=account["id"])
    assert again["node"]["id"] == account["id"]


async def test_nodes_takes_at_most_100_ids(client):
    body = await execute(client, NODES, ids=["x"] * 101)
    assert "at most 100" in body["errors"][0]["message"]
