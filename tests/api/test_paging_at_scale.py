"""Keyset paging through 10,000 records while others are written returns each one once."""

from __future__ import annotations

import random

import pytest
from sqlalchemy import insert

from db.models import Account
from resolvers import global_ids
from tests.helpers import gql

RECORDS = 10_000
PAGE = """
query($after: String, $orderBy: [AccountOrder!]) {
  accounts(first: 100, after: $after, orderBy: $orderBy) {
    nodes { id name } pageInfo { hasNextPage endCursor }
  }
}
"""
CREATE = "mutation($name: String!) { accountCreate(input: {name: $name}) { account { id } userErrors { code } } }"


async def insert_accounts(engine, tenant, rng) -> set[str]:
    """RECORDS accounts in the tenant's workspace in one statement; their global ids."""
    rows = [
        {
            "workspace_id": tenant.principal.workspace_id,
            "name": f"{rng.choice('ABCDEFGH')}-{rng.randrange(10**6):06d}",
            "employee_count": rng.choice([None, rng.randrange(1000)]),
            "currency": "USD",
            "lifecycle_stage": "REACH",
            "version": 1,
        }
        for _ in range(RECORDS)
    ]
    async with engine.begin() as connection:
        result = await connection.execute(insert(Account).returning(Account.id), rows)
        return {global_ids.encode("Account", pk) for pk in result.scalars()}


@pytest.mark.parametrize(
    "order_by",
    [None, [{"field": "EMPLOYEE_COUNT", "direction": "DESC"}]],
    ids=["id", "nullable-desc"],
)
async def test_paging_ten_thousand_records_under_inserts(client, engine, tenant, order_by):
    rng = random.Random(7)
    existing = await insert_accounts(engine, tenant, rng)
    seen: list[str] = []
    after = None
    for page_number in range(RECORDS):
        page = (await gql(client, PAGE, after=after, orderBy=order_by))["accounts"]
        seen += [node["id"] for node in page["nodes"]]
        # Someone else keeps creating accounts, which sort anywhere in the order.
        await gql(client, CREATE, name=f"{rng.choice('ABCDEFGH')}-new-{page_number}")
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    from_start = [record_id for record_id in seen if record_id in existing]
    assert len(from_start) == len(set(from_start)) == RECORDS
    assert len(seen) == len(set(seen))


async def test_paging_by_name_while_accounts_appear_on_both_sides_of_the_cursor(
    client, engine, tenant
):
    existing = await insert_accounts(engine, tenant, random.Random(7))
    before_cursor: set[str] = set()
    after_cursor: set[str] = set()
    seen: list[str] = []
    after, pages = None, 0
    while True:
        page = (await gql(client, PAGE, after=after, orderBy=[{"field": "NAME"}]))["accounts"]
        pages += 1
        seen += [node["id"] for node in page["nodes"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
        # A proper prefix sorts before a name and an extension after it, in any collation:
        # one new account lands behind the cursor, one ahead of it.
        last_name = page["nodes"][-1]["name"]
        for name, side in ((last_name[:-1], before_cursor), (f"{last_name}0", after_cursor)):
            created = (await gql(client, CREATE, name=name))["accountCreate"]["account"]
            side.add(created["id"])
    assert pages >= RECORDS // 100  # no cap on how deep one pages
    assert len(seen) == len(set(seen))
    # Keyset paging: every account of the start and every one that appeared ahead of the
    # cursor is reached, none that appeared behind it (an offset would have shifted and
    # repeated rows instead).
    assert set(seen) == existing | after_cursor
    assert len(existing) == RECORDS
    assert not before_cursor & set(seen)
