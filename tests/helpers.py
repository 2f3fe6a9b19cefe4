"""Helpers for GraphQL tests: run an operation, and check a payload's outcome."""

from __future__ import annotations

from typing import Any

import httpx


async def execute(client: httpx.AsyncClient, query: str, **variables: Any) -> dict[str, Any]:
    """The full response body of one POSTed operation."""
    response = await client.post("/graphql", json={"query": query, "variables": variables})
    return dict(response.json())


async def gql(client: httpx.AsyncClient, query: str, **variables: Any) -> dict[str, Any]:
    """The `data` of an operation that must succeed without any top-level error."""
    response = await client.post("/graphql", json={"query": query, "variables": variables})
    body = response.json()
    assert response.status_code == 200, body
    assert "errors" not in body, body["errors"]
    return dict(body["data"])


def ok(payload: dict[str, Any]) -> dict[str, Any]:
    """The record of a mutation payload that must have no userErrors."""
    assert payload["userErrors"] == [], payload["userErrors"]
    records = [value for key, value in payload.items() if key != "userErrors"]
    assert len(records) == 1
    assert records[0] is not None
    return dict(records[0])


def refused(payload: dict[str, Any], code: str, field: list[str] | None = None) -> dict[str, Any]:
    """The first userError, which must have `code` (and `field`, when given)."""
    errors = payload["userErrors"]
    assert errors, f"expected a {code} user error, got {payload}"
    assert errors[0]["code"] == code, errors
    if field is not None:
        assert errors[0]["field"] == field, errors
    return dict(errors[0])
