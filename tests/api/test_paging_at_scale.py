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
    nodes { id } pageInfo { hasNextPage endCursor }
  }
}
"""
CREATE = "mutation($name: String!) { accountCreate(input: {name: $name}) { account { id } userErrors { code } } }"


@pytest.mark.parametrize(
    "order_by",
    [None, [{"field": "NAME"}], [{"field": "EMPLOYEE_COUNT", "direction": "DESC"}]],
    ids=["id", "name", "nullable-desc"],
)
async def test_paging_ten_thousand_records_under_inserts(client, engine, tenant, order_by):
    rng = random.Random(7)
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
        existing = {global_ids.encode("Account", pk) for pk in result.scalars()}
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
