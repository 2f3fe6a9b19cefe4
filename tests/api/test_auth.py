"""API keys: every request needs one, and a key sees only its own workspace."""

from __future__ import annotations

import httpx
import pytest

from tests.conftest import make_tenant
from tests.helpers import gql, ok

QUERY = "{ accounts { totalCount nodes { id name } } }"
CREATE = (
    'mutation { accountCreate(input: {name: "Secret Co"}) { account { id } userErrors { code } } }'
)
NODE = "query($id: ID!) { node(id: $id) { id } nodes(ids: [$id]) { id } }"
UPDATE = 'mutation($id: ID!) { accountUpdate(input: {id: $id, name: "Hijacked"}) { account { id } userErrors { code field } } }'


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer crm_not-a-real-key"},
        {"Authorization": "Basic abc"},
        {"Authorization": "Bearer "},
    ],
)
async def test_requests_without_a_valid_key_are_401(anonymous_client, headers):
    response = await anonymous_client.post("/graphql", json={"query": QUERY}, headers=headers)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    body = response.json()
    assert "data" not in body
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_get_without_key_is_401_too(anonymous_client):
    response = await anonymous_client.get("/graphql", params={"query": QUERY})
    assert response.status_code == 401


async def test_a_key_never_sees_another_workspace(client, app, engine):
    created = ok((await gql(client, CREATE))["accountCreate"])
    other = await make_tenant(engine)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),
        base_url="http://testserver",
        headers={"Authorization": f"Bearer {other.key}"},
    ) as intruder:
        listed = await gql(intruder, QUERY)
        assert listed["accounts"] == {"totalCount": 0, "nodes": []}
        nodes = await gql(intruder, NODE, id=created["id"])
        assert nodes == {"node": None, "nodes": [None]}
        attempt = await gql(intruder, UPDATE, id=created["id"])
        assert attempt["accountUpdate"]["userErrors"][0]["code"] == "NOT_FOUND"
    mine = await gql(client, QUERY)
    assert mine["accounts"]["nodes"] == [{"id": created["id"], "name": "Secret Co"}]


async def test_only_a_hash_of_the_key_is_stored(engine, tenant):
    from sqlalchemy import select

    from db.models import ApiKey
    from db.session import make_session_factory

    async with make_session_factory(engine)() as session:
        stored = (
            await session.scalars(select(ApiKey).where(ApiKey.id == tenant.principal.api_key_id))
        ).one()
    assert tenant.key not in (stored.key_hash, stored.prefix)
    assert len(stored.key_hash) == 64
    assert tenant.key.startswith(stored.prefix)
