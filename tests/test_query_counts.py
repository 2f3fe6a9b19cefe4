"""The guard against N+1: a nested list costs the same number of statements for 3 rows or 30."""

from __future__ import annotations

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

# API key lookup, accounts page, its count, owners, contacts page, contacts count,
# contacts' accounts, opportunities page.
EXPECTED_STATEMENTS = 8


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
