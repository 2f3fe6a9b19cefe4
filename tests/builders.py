"""Build records and their histories through the API, as an importing partner would: every
record and move can be dated in the past (ADMIN keys), so tests can set up histories whose
metrics are worked out by hand."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx

from tests.helpers import gql, ok

TYPE_NAMES = {
    "account": "Account",
    "contact": "Contact",
    "lead": "Lead",
    "opportunity": "Opportunity",
    "case": "Case",
    "campaign": "Campaign",
    "activity": "Activity",
    "user": "User",
}
DEFAULTS: dict[str, dict[str, Any]] = {
    "account": {"name": "Acme"},
    "contact": {"lastName": "Doe"},
    "lead": {"lastName": "Lovelace"},
    "opportunity": {"name": "Deal"},
    "case": {"subject": "Broken"},
    "campaign": {"name": "Launch", "type": "EMAIL"},
    "activity": {"type": "EMAIL", "subject": "Hello"},
    "user": {"name": "Ada", "email": "ada@example.com"},
}


def _payload(entity: str, verb: str) -> str:
    name = TYPE_NAMES[entity]
    return f"""
mutation($input: {name}{verb}Input!) {{
  result: {entity}{verb}(input: $input) {{
    record: {entity} {{ id }} userErrors {{ field message code }}
  }}
}}
"""


def when(text: str) -> str:
    """An ISO time in UTC from a short '2026-03-01' or '2026-03-01T12:00'."""
    moment = datetime.fromisoformat(text)
    return moment.replace(tzinfo=UTC).isoformat()


class History:
    """Creates records and moves them, each at a given time (ISO date or date-time, UTC)."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client

    async def create(self, entity: str, at: str | None = None, **fields: Any) -> str:
        values = {**DEFAULTS[entity], **fields}
        if at is not None:
            values["createdAt"] = when(at)
        data = await gql(self.client, _payload(entity, "Create"), input=values)
        return str(ok(data["result"])["id"])

    async def update(self, entity: str, record_id: str, **fields: Any) -> None:
        data = await gql(self.client, _payload(entity, "Update"), input={"id": record_id, **fields})
        ok(data["result"])

    async def archive(self, entity: str, record_id: str) -> None:
        data = await gql(self.client, _payload(entity, "Archive"), input={"id": record_id})
        ok(data["result"])

    async def move(self, entity: str, record_id: str, to: str, at: str, **fields: Any) -> None:
        values = {"id": record_id, "to": to, "occurredAt": when(at), **fields}
        data = await gql(self.client, _payload(entity, "Transition"), input=values)
        ok(data["result"])

    async def convert(self, lead_id: str, at: str, **fields: Any) -> dict[str, Any]:
        data = await gql(
            self.client,
            """
mutation($input: LeadConvertInput!) {
  leadConvert(input: $input) {
    account { id } contact { id } opportunity { id } userErrors { field message code }
  }
}
""",
            input={"leadId": lead_id, "occurredAt": when(at), **fields},
        )
        payload = data["leadConvert"]
        assert payload["userErrors"] == [], payload["userErrors"]
        return dict(payload)
