"""Bad input of any kind never gives a 500 or a stack trace, and changes nothing.

Every create and update mutation (and archive/restore, for ids) and every root list is
attacked with wrongly typed variables, hostile strings, bad ids, malformed or forged
cursors, hostile filters and orderings. Each attempt must come back as a clear refusal -
a request error (400/413/422), a BAD_USER_INPUT error or payload userErrors - never as
INTERNAL_SERVER_ERROR, a 5xx status or a traceback, and the workspace must read exactly
the same afterwards (the list's totalCount, and the whole record for updates).

Bodies are sent as hand-serialized JSON, so that values httpx would refuse to encode get
through: lone surrogates as `\\ud800` escapes, and literals such as NaN or 1e400.
"""

from __future__ import annotations

import base64
import copy
import json
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any
from unittest.mock import ANY

import httpx
import pytest

from tests.conftest import make_tenant

# --- Sending ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Raw:
    """A JSON literal sent verbatim (NaN, Infinity, 1e400), which json.dumps cannot write."""

    text: str


def dumps(value: Any) -> str:
    """JSON text of `value`; lone surrogates come out as `\\udxxx` escapes (ensure_ascii)."""
    raws: dict[str, str] = {}

    def walk(item: Any) -> Any:
        if isinstance(item, Raw):
            marker = f"__raw_{len(raws)}__"
            raws[marker] = item.text
            return marker
        if isinstance(item, dict):
            return {key: walk(inner) for key, inner in item.items()}
        if isinstance(item, list):
            return [walk(inner) for inner in item]
        return item

    text = json.dumps(walk(value))
    for marker, literal in raws.items():
        text = text.replace(json.dumps(marker), literal)
    return text


async def post(client: httpx.AsyncClient, query: str, variables: Any = None, **params: Any):
    body = {"query": query, "variables": variables, **params}
    return await client.post(
        "/graphql", content=dumps(body), headers={"content-type": "application/json"}
    )


def b64(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


@asynccontextmanager
async def client_for(app: Any, key: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app),
        base_url="http://testserver",
        headers={"Authorization": f"Bearer {key}"},
    ) as client:
        yield client


# --- Checking ----------------------------------------------------------------------------

# Text that only an unmasked exception, a traceback or a leaked SQL error would contain.
LEAKS = ("Traceback", 'File "', "[SQL:", "sqlalchemy", "asyncpg", "aiosqlite", "psycopg")
REQUEST_ERROR_STATUSES = {400, 413, 422}


def assert_no_internal_error(response: httpx.Response) -> dict[str, Any]:
    """No 5xx, no INTERNAL_SERVER_ERROR, no traceback or SQL in the body; the body as JSON."""
    text = response.text
    assert response.status_code < 500, f"HTTP {response.status_code}: {text[:1000]}"
    for leak in LEAKS:
        assert leak not in text, f"{leak!r} leaked: {text[:1000]}"
    body = response.json()
    assert isinstance(body, dict), text[:1000]
    for error in body.get("errors") or []:
        code = (error.get("extensions") or {}).get("code")
        assert code != "INTERNAL_SERVER_ERROR", f"HTTP {response.status_code}: {text[:1000]}"
        assert isinstance(error.get("message"), str), error
        assert error["message"].strip(), error
    return body


def assert_refused(response: httpx.Response, mutation_field: str, record_key: str) -> list[Any]:
    """A clear refusal: a request error, or a payload with userErrors and no record."""
    body = assert_no_internal_error(response)
    if body.get("errors"):
        assert response.status_code in REQUEST_ERROR_STATUSES, (response.status_code, body)
        assert not (body.get("data") or {}).get(mutation_field), body
        return list(body["errors"])
    payload = body["data"][mutation_field]
    assert payload[record_key] is None, f"accepted: {payload}"
    assert payload["userErrors"], payload
    for error in payload["userErrors"]:
        assert error["code"], error
        assert error["message"].strip(), error
    return list(payload["userErrors"])


def assert_bad_user_input(response: httpx.Response) -> None:
    """A clear top-level error: BAD_USER_INPUT from a resolver, or a request error."""
    body = assert_no_internal_error(response)
    assert body.get("errors"), body
    if response.status_code in REQUEST_ERROR_STATUSES:  # variables that do not coerce
        return
    codes = {(error.get("extensions") or {}).get("code") for error in body["errors"]}
    assert codes == {"BAD_USER_INPUT"}, body


def succeeded(response: httpx.Response) -> dict[str, Any]:
    body = assert_no_internal_error(response)
    assert response.status_code == 200, body
    assert "errors" not in body, body
    return dict(body["data"])


# --- The record types --------------------------------------------------------------------


def _unique() -> str:
    return uuid.uuid4().hex[:10]


@dataclass(frozen=True)
class Entity:
    type: str
    list: str
    minimal: Callable[[], dict[str, Any]]
    # Every field a write could touch, to tell whether anything changed.
    read: str
    strings: tuple[str, ...] = ()  # String input paths
    texts: tuple[str, ...] = ()  # those stored verbatim (trimmed): no format to normalize to
    decimals: tuple[str, ...] = ()
    ints: tuple[str, ...] = ()
    dates: tuple[str, ...] = ()
    datetimes: tuple[str, ...] = ()
    enums: tuple[str, ...] = ()
    booleans: tuple[str, ...] = ()
    references: dict[str, str] = field(default_factory=dict)  # ID input path -> type

    @property
    def key(self) -> str:
        return self.type[0].lower() + self.type[1:]

    def mutation(self, verb: str) -> str:
        return (
            f"mutation($input: {self.type}{verb}Input!) {{ {self.key}{verb}(input: $input) "
            f"{{ {self.key} {{ id {self.read} }} userErrors {{ field message code }} }} }}"
        )


ADDRESS = ("street", "city", "state", "postalCode")
ENTITIES = [
    Entity(
        "Account",
        "accounts",
        lambda: {"name": "Acme"},
        "name website industry employeeCount annualRevenue currency phone lifecycleStage "
        "billingAddress { street city state postalCode country } parent { id } owner { id } "
        "version updatedAt archivedAt",
        strings=(
            "name",
            "website",
            "industry",
            "currency",
            "phone",
            *(f"billingAddress.{part}" for part in (*ADDRESS, "country")),
        ),
        texts=("name", "industry", "billingAddress.street", "billingAddress.city"),
        decimals=("annualRevenue",),
        ints=("employeeCount",),
        references={"parentId": "Account", "ownerId": "User"},
    ),
    Entity(
        "Contact",
        "contacts",
        lambda: {"lastName": "Doe"},
        "firstName lastName email phone jobTitle lifecycleStage account { id } owner { id } "
        "version updatedAt archivedAt",
        strings=("lastName", "firstName", "email", "phone", "jobTitle"),
        texts=("lastName", "firstName", "jobTitle"),
        references={"accountId": "Account", "ownerId": "User"},
    ),
    Entity(
        "Lead",
        "leads",
        lambda: {"lastName": "Roe"},
        "firstName lastName company title email phone status campaign { id } "
        "referredBy { id } owner { id } version updatedAt archivedAt",
        strings=("lastName", "firstName", "company", "title", "email", "phone"),
        texts=("lastName", "firstName", "company", "title"),
        references={"campaignId": "Campaign", "referredById": "Contact", "ownerId": "User"},
    ),
    Entity(
        "Opportunity",
        "opportunities",
        lambda: {"name": "Deal"},
        "name amount currency expectedCloseDate stage probability account { id } "
        "primaryContact { id } campaign { id } owner { id } version updatedAt archivedAt "
        "lineItems(filter: {archived: ALL}) { totalCount nodes { id quantity unitPrice "
        "discount total archivedAt product { id } } }",
        strings=("name", "currency"),
        texts=("name",),
        decimals=(
            "amount",
            "lineItems.0.quantity",
            "lineItems.0.unitPrice",
            "lineItems.0.discount",
        ),
        dates=("expectedCloseDate",),
        references={
            "accountId": "Account",
            "primaryContactId": "Contact",
            "campaignId": "Campaign",
            "ownerId": "User",
            "lineItems.0.productId": "Product",
        },
    ),
    Entity(
        "Product",
        "products",
        lambda: {"name": "Widget", "sku": f"SKU-{_unique()}", "unitPrice": "10.00"},
        "name sku description unitPrice currency vendor active owner { id } "
        "version updatedAt archivedAt",
        strings=("name", "sku", "currency", "description", "vendor"),
        texts=("name", "sku", "description", "vendor"),
        decimals=("unitPrice",),
        booleans=("active",),
        references={"ownerId": "User"},
    ),
    Entity(
        "Case",
        "cases",
        lambda: {"subject": "Broken"},
        "subject description priority origin status account { id } contact { id } "
        "owner { id } version updatedAt archivedAt",
        strings=("subject", "description"),
        texts=("subject", "description"),
        enums=("priority", "origin"),
        references={"accountId": "Account", "contactId": "Contact", "ownerId": "User"},
    ),
    Entity(
        "Campaign",
        "campaigns",
        lambda: {"name": "Spring", "type": "EMAIL"},
        "name type status budget actualCost currency startDate endDate owner { id } "
        "version updatedAt archivedAt",
        strings=("name", "currency"),
        texts=("name",),
        decimals=("budget", "actualCost"),
        dates=("startDate", "endDate"),
        enums=("type",),
        references={"ownerId": "User"},
    ),
    Entity(
        "Activity",
        "activities",
        lambda: {"type": "CALL", "subject": "Call"},
        "type subject body occurredAt dueAt completed account { id } contact { id } "
        "lead { id } opportunity { id } case { id } owner { id } version updatedAt archivedAt",
        strings=("subject", "body"),
        texts=("subject", "body"),
        datetimes=("occurredAt", "dueAt"),
        enums=("type",),
        booleans=("completed",),
        references={
            "accountId": "Account",
            "contactId": "Contact",
            "leadId": "Lead",
            "opportunityId": "Opportunity",
            "caseId": "Case",
            "ownerId": "User",
        },
    ),
    Entity(
        "User",
        "users",
        lambda: {"name": "Ada", "email": f"ada-{_unique()}@example.com"},
        "name email role version updatedAt archivedAt",
        strings=("name", "email"),
        texts=("name",),
        enums=("role",),
    ),
]
ENTITY = {entity.type: entity for entity in ENTITIES}
VERBS = ("Create", "Update")

COUNTS = " ".join(
    f"{entity.list}(filter: {{archived: ALL}}) {{ totalCount }}" for entity in ENTITIES
)


def put(data: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    """A copy of `data` with `value` at `path` ("billingAddress.street", "lineItems.0.quantity")."""
    data = copy.deepcopy(data)
    *parents, last = path.split(".")
    target: Any = data
    for part in parents:
        target = target[int(part)] if isinstance(target, list) else target.setdefault(part, {})
    if isinstance(target, list):
        target[int(last)] = value
    else:
        target[last] = value
    return data


def dig(record: dict[str, Any], path: str) -> Any:
    value: Any = record
    for part in path.split("."):
        value = value[int(part)] if isinstance(value, list) else value[part]
    return value


class World:
    """Records of a workspace, created on first use: referenced records, records to update."""

    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client
        self.ids: dict[str, str] = {}

    async def create(self, entity: Entity, **fields: Any) -> str:
        response = await post(
            self.client, entity.mutation("Create"), {"input": {**entity.minimal(), **fields}}
        )
        payload = succeeded(response)[f"{entity.key}Create"]
        assert payload["userErrors"] == [], payload
        return str(payload[entity.key]["id"])

    async def id_of(self, type_name: str) -> str:
        if type_name not in self.ids:
            self.ids[type_name] = await self.create(ENTITY[type_name])
        return self.ids[type_name]

    async def input_for(
        self, entity: Entity, verb: str, path: str | None = None, value: Any = None
    ) -> dict[str, Any]:
        """A valid input of `verb` (on this world's record of the type), with `value` at `path`."""
        data = entity.minimal() if verb == "Create" else {"id": await self.id_of(entity.type)}
        if path is None:
            return data
        if path.startswith("lineItems."):
            product = await self.id_of("Product")
            data["lineItems"] = [{"productId": product, "quantity": "1"}]
        return put(data, path, value)

    async def state(self, entity: Entity | None = None, record_id: str | None = None) -> Any:
        """The size of `entity`'s list (of every list when None), and the record `record_id`."""
        if entity is None:
            return succeeded(await post(self.client, f"{{ {COUNTS} }}"))
        count = f"{entity.list}(filter: {{archived: ALL}}) {{ totalCount }}"
        if record_id is None:
            return succeeded(await post(self.client, f"{{ {count} }}"))
        query = f"query($id: ID!) {{ node(id: $id) {{ id ... on {entity.type} {{ {entity.read} }} }} {count} }}"
        return succeeded(await post(self.client, query, {"id": record_id}))


BUILD = object()  # refused_without_change builds the input from `path` and `value`


async def refused_without_change(
    world: World, entity: Entity, verb: str, path: str | None, value: Any, *, data: Any = BUILD
) -> list[Any]:
    """Send `value` at `path` through `<entity><verb>`: it must be refused, changing nothing.

    `data`, when given, is the whole input instead (it may be anything, even null).
    """
    if data is BUILD:
        data = await world.input_for(entity, verb, path, value)
    record_id = world.ids.get(entity.type) if verb != "Create" else None
    before = await world.state(entity, record_id)
    response = await post(world.client, entity.mutation(verb), {"input": data})
    errors = assert_refused(response, f"{entity.key}{verb}", entity.key)
    assert await world.state(entity, record_id) == before, "a refused write changed data"
    return errors


@pytest.fixture
def world(client: httpx.AsyncClient) -> World:
    return World(client)


@dataclass
class Foreign:
    """Another workspace, with one record of every type."""

    key: str
    ids: dict[str, str]


@pytest.fixture(scope="session")
async def foreign(app: Any, engine: Any) -> Foreign:
    tenant = await make_tenant(engine)
    async with client_for(app, tenant.key) as client:
        other = World(client)
        for entity in ENTITIES:
            await other.id_of(entity.type)
        return Foreign(key=tenant.key, ids=dict(other.ids))


# --- Values ------------------------------------------------------------------------------

WRONG_STRINGS = [("object", {"$gt": ""})]
HOSTILE_STRINGS = [
    ("NUL", "a\x00b"),
    ("lone surrogate", "a\ud800b"),
    ("900k chars", "a" * 900_000),
]
WRONG_INTS = [
    ("string", "12"),
    ("float", 1.5),
    ("2^31", 2**31),
    ("-2^31-1", -(2**31) - 1),
    ("2^64", 2**64),
    ("10^30", 10**30),
    ("negative", -1),
    ("boolean", True),
    ("object", {}),
    ("JSON NaN", Raw("NaN")),
    ("JSON Infinity", Raw("Infinity")),
    ("JSON 1e400", Raw("1e400")),
]
BAD_DECIMALS = [
    ("NaN", "NaN"),
    ("sNaN", "sNaN"),
    ("-Infinity", "-Infinity"),
    ("1e400", "1e400"),
    ("1e-400", "1e-400"),
    ("negative", "-1"),
    ("3 places", "10.123"),
    ("float with 3 places", 1.005),
    ("29 significant digits", "1.0000000000000000000000000001"),
    ("10^30 number", 10**30),
    ("words", "ten"),
    ("empty", ""),
    ("comma", "1,5"),
    ("JSON NaN", Raw("NaN")),
    ("JSON 1e400", Raw("1e400")),
    ("boolean", True),
    ("object", {"a": 1}),
    ("lone surrogate", "\ud800"),
]
BAD_DATES = [
    ("Feb 30", "2026-02-30"),
    ("month 13", "2026-13-01"),
    ("empty", ""),
    ("words", "tomorrow"),
    ("year 0", "0000-01-01"),
    ("year 10000", "10000-01-01"),
    ("datetime", "2026-03-01T10:00:00Z"),
    ("number", 20260301),
    ("lone surrogate", "\ud800"),
]
BAD_DATETIMES = [
    ("Feb 30", "2026-02-30T10:00:00Z"),
    ("empty", ""),
    ("words", "now"),
    ("no offset", "2026-03-01T09:30:00"),
    ("date only", "2026-03-01"),
    ("offset +25:00", "2026-03-01T09:30:00+25:00"),
    ("year 9999 west of UTC", "9999-12-31T23:59:59-23:59"),
    ("year 1 east of UTC", "0001-01-01T00:00:00+01:00"),
    ("24:00 on the last day", "9999-12-31T24:00:00Z"),
    ("epoch number", 1_700_000_000),
    ("lone surrogate", "\ud800"),
]
BAD_ENUMS = [
    ("unknown", "NOPE"),
    ("empty", ""),
    ("number", 1),
    ("object", {}),
    ("lone surrogate", "\ud800"),
]
BAD_BOOLEANS = [("string", "true"), ("number", 1), ("object", {}), ("list", [True])]
WRONG_IDS = [("object", {}), ("float", 1.5)]


def _cases() -> list[Any]:
    cases = []
    for entity in ENTITIES:
        kinds = [
            (entity.strings, WRONG_STRINGS + HOSTILE_STRINGS, VERBS),
            (entity.ints, WRONG_INTS, VERBS),
            (entity.decimals, BAD_DECIMALS, VERBS),
            (entity.dates, BAD_DATES, VERBS),
            (entity.datetimes, BAD_DATETIMES, VERBS),
            # Every create takes `createdAt` (imports, ADMIN keys); updates do not.
            (("createdAt",), BAD_DATETIMES, ("Create",)),
            (entity.enums, BAD_ENUMS, VERBS),
            (entity.booleans, BAD_BOOLEANS, VERBS),
            (tuple(entity.references), WRONG_IDS, VERBS),
        ]
        cases += [
            pytest.param(entity.type, path, value, verb, id=f"{verb}-{entity.type}.{path}={label}")
            for paths, values, verbs in kinds
            for path in paths
            for label, value in values
            for verb in verbs
        ]
    return cases


@pytest.mark.parametrize(("type_name", "path", "value", "verb"), _cases())
async def test_invalid_values_are_refused_and_change_nothing(world, verb, type_name, path, value):
    await refused_without_change(world, ENTITY[type_name], verb, path, value)


# Null where a value must be: a request error on create (non-null input), REQUIRED on update.
NOT_NULLABLE = [
    ("Account", "name", VERBS),
    ("Account", "currency", ("Update",)),
    ("Contact", "lastName", VERBS),
    ("Lead", "lastName", VERBS),
    ("Opportunity", "name", VERBS),
    ("Opportunity", "currency", ("Update",)),
    ("Opportunity", "lineItems.0.productId", VERBS),
    ("Opportunity", "lineItems.0.quantity", VERBS),
    ("Product", "name", VERBS),
    ("Product", "sku", VERBS),
    ("Product", "unitPrice", VERBS),
    ("Product", "currency", ("Update",)),
    ("Product", "active", VERBS),
    ("Case", "subject", VERBS),
    ("Case", "priority", VERBS),
    ("Campaign", "name", VERBS),
    ("Campaign", "type", VERBS),
    ("Campaign", "currency", ("Update",)),
    ("Activity", "type", VERBS),
    ("Activity", "subject", VERBS),
    ("Activity", "completed", VERBS),
    ("User", "name", VERBS),
    ("User", "email", VERBS),
    ("User", "role", VERBS),
]


@pytest.mark.parametrize(
    ("type_name", "path", "verb"),
    [
        pytest.param(type_name, path, verb, id=f"{verb}-{type_name}.{path}")
        for type_name, path, verbs in NOT_NULLABLE
        for verb in verbs
    ],
)
async def test_null_for_a_value_that_must_be_there_is_refused(world, type_name, path, verb):
    await refused_without_change(world, ENTITY[type_name], verb, path, None)


@pytest.mark.parametrize("type_name", list(ENTITY))
@pytest.mark.parametrize(
    ("label", "value"),
    [
        ("string", "1"),
        ("float", 1.5),
        ("2^31", 2**31),
        ("boolean", True),
        ("zero", 0),
        ("negative", -1),
    ],
)
async def test_bad_expected_version_is_refused(world, type_name, label, value):
    entity = ENTITY[type_name]
    data = {**await world.input_for(entity, "Update"), "expectedVersion": value}
    await refused_without_change(world, entity, "Update", None, None, data=data)


def _malformed_inputs() -> list[Any]:
    cases = []
    for entity in ENTITIES:
        for verb in VERBS:
            for label, mangle in [
                ("null input", lambda _data: None),
                ("list input", lambda _data: []),
                ("unknown field", lambda data: {**data, "nmae": "x"}),
                ("required left out", lambda data: {} if "id" not in data else {"name": "x"}),
            ]:
                cases.append(
                    pytest.param(entity.type, verb, mangle, id=f"{verb}-{entity.type}-{label}")
                )
    opportunity_items = [
        ("line items a string", "x"),
        ("line item null", [None]),
        ("line item empty", [{}]),
        ("line item without product", [{"quantity": "1"}]),
        ("line items nested lists", [[{"quantity": "1"}]]),
    ]
    cases.extend(
        pytest.param(
            "Opportunity",
            verb,
            lambda data, items=items: {**data, "lineItems": items},
            id=f"{verb}-Opportunity-{label}",
        )
        for label, items in opportunity_items
        for verb in VERBS
    )
    cases.extend(
        pytest.param(
            "Account",
            verb,
            lambda data: {**data, "billingAddress": "Hauptstr. 1, Berlin"},
            id=f"{verb}-Account-address a string",
        )
        for verb in VERBS
    )
    return cases


@pytest.mark.parametrize(("type_name", "verb", "mangle"), _malformed_inputs())
async def test_malformed_input_objects_are_refused(world, type_name, verb, mangle):
    entity = ENTITY[type_name]
    data = mangle(await world.input_for(entity, verb))
    await refused_without_change(world, entity, verb, None, None, data=data)


# --- Hostile strings that are fine to store ---------------------------------------------

STORABLE_STRINGS = [
    ("emoji", "Zoë 👩🏽‍💻 🚀 漢字"),
    ("right-to-left override", "\u202eevil\u202c.exe"),
    ("right-to-left mark", "\u200fשלום\u200f"),
    ("SQL drop", "'; DROP TABLE account; --"),
    ("SQL or", "x' OR '1'='1"),
    ("SQL comment and quote", 'Robert"); DELETE FROM crm_user; /*'),
    ("control characters", "bell\x07 escape\x1b[31m del\x7f"),
    ("line breaks", "one\r\ntwo\u2028three"),
    ("zero width", "in\u200bvis\ufeffible"),
    ("combining marks", "Z\u0337\u0322a\u0335l\u0336g\u0338o"),
    ("markup", "<script>alert(1)</script>"),
    ("template", "${jndi:ldap://x/a} {{7*7}}"),
    ("backslashes", "C:\\path\\%s%n"),
    ("highest code point", "\U0010ffff"),
]


@pytest.mark.parametrize(("label", "value"), STORABLE_STRINGS, ids=[s[0] for s in STORABLE_STRINGS])
@pytest.mark.parametrize("verb", VERBS)
@pytest.mark.parametrize("type_name", list(ENTITY))
async def test_hostile_free_text_is_stored_exactly_as_written(world, type_name, verb, label, value):
    """Every free-text field of the record at once: kept as sent (trimmed), read back the same."""
    entity = ENTITY[type_name]
    data = await world.input_for(entity, verb)
    for path in entity.texts:
        data = put(data, path, value)
    record_id = data.get("id")
    before = await world.state(entity, record_id)
    response = await post(world.client, entity.mutation(verb), {"input": data})
    payload = assert_no_internal_error(response)["data"][f"{entity.key}{verb}"]
    assert payload["userErrors"] == [], payload
    record = payload[entity.key]
    for path in entity.texts:
        assert dig(record, path) == value.strip(), path
    after = await world.state(entity, record["id"])
    assert after["node"] == record, "the write's payload differs from what was stored"
    created = 1 if verb == "Create" else 0
    assert after[entity.list]["totalCount"] == before[entity.list]["totalCount"] + created


@pytest.mark.parametrize("verb", VERBS)
@pytest.mark.parametrize("type_name", list(ENTITY))
async def test_a_string_over_the_1_mb_body_limit_is_refused(world, type_name, verb):
    entity = ENTITY[type_name]
    errors = await refused_without_change(world, entity, verb, entity.texts[0], "a" * 1_000_001)
    assert "larger than" in errors[0]["message"], errors


# --- Formatted strings --------------------------------------------------------------------

REFUSED_FORMATTED = [
    ("Account", "website", "javascript:alert(1)"),
    ("Account", "website", "JavaScript://example.com/%0Aalert(1)"),
    ("Account", "website", " javascript:alert(document.cookie)"),
    ("Account", "website", "java\tscript:alert(1)"),
    ("Account", "website", "data:text/html,<script>alert(1)</script>"),
    ("Account", "website", "vbscript:msgbox(1)"),
    ("Account", "website", "file:///etc/passwd"),
    ("Account", "website", "ftp://example.com/x"),
    ("Account", "website", "https://example.com/" + "a" * 3000),
    ("Account", "website", "https://example.com/\x00"),
    ("Account", "website", "https://exa mple.com"),
    ("Contact", "email", "x@" + "a" * 250 + ".com"),
    ("Contact", "email", ("a" * 60 + ".") * 5 + "@example.com"),
    ("Contact", "email", "'; DROP TABLE contact; --@example.com"),
    ("Contact", "email", "<script>@example.com"),
    ("Contact", "email", "a@b@example.com"),
    ("Contact", "email", "a@[127.0.0.1]"),
    ("Contact", "email", "a\x00@example.com"),
    ("Contact", "email", "a\u202e@example.com"),
    ("User", "email", "admin@example.com\r\nBcc: victim@example.com"),
    ("Lead", "phone", "+1 555 0100; DROP TABLE lead"),
    ("Lead", "phone", "1" * 41),
    ("Lead", "phone", "\u0661\u0662\u0663\u0664"),
    ("Account", "currency", "US$"),
    ("Account", "currency", "usd\x00"),
    ("Account", "billingAddress.country", "D\u0415"),  # a Cyrillic E
    ("Product", "currency", "XXQ"),
]


@pytest.mark.parametrize(
    ("type_name", "path", "value"),
    [pytest.param(*case, id=f"{case[0]}.{case[1]}={case[2][:30]!r}") for case in REFUSED_FORMATTED],
)
@pytest.mark.parametrize("verb", VERBS)
async def test_hostile_formatted_values_are_refused(world, verb, type_name, path, value):
    errors = await refused_without_change(world, ENTITY[type_name], verb, path, value)
    assert errors[0].get("code") in {"INVALID", None}, errors


# --- Ids ---------------------------------------------------------------------------------

# (label, an id that looks meant for a record of type T); "other type" and "other
# workspace" are real ids, made per test.
BAD_IDS: list[tuple[str, Callable[[str], str]]] = [
    ("empty", lambda _t: ""),
    ("garbage", lambda _t: "nonsense"),
    ("random base64", lambda _t: base64.urlsafe_b64encode(bytes(range(200, 230))).decode()),
    ("base64 of text", lambda _t: b64("hello world")),
    ("unknown type", lambda _t: b64("v1:Nope:1")),
    ("other version", lambda t: b64(f"v2:{t}:1")),
    ("zero", lambda t: b64(f"v1:{t}:0")),
    ("negative", lambda t: b64(f"v1:{t}:-1")),
    ("2^63", lambda t: b64(f"v1:{t}:9223372036854775808")),
    ("10^20", lambda t: b64(f"v1:{t}:99999999999999999999")),
    ("5000 digits", lambda t: b64(f"v1:{t}:" + "9" * 5000)),
    ("lone surrogate", lambda _t: "\ud800"),
    ("NUL", lambda t: b64(f"v1:{t}:1") + "\x00"),
    ("100k chars", lambda _t: "A" * 100_000),
]
ID_KINDS = [label for label, _ in BAD_IDS] + ["other type", "other workspace"]
MAKE_ID = dict(BAD_IDS)


async def bad_id(world: World, foreign: Foreign, kind: str, type_name: str) -> str:
    if kind == "other workspace":
        return foreign.ids[type_name]
    if kind == "other type":
        return await world.id_of("Product" if type_name == "User" else "User")
    return MAKE_ID[kind](type_name)


def _record_id_cases() -> list[Any]:
    # Archive and restore find their record as update does: a few kinds are enough there.
    few = ("empty", "10^20", "other type", "other workspace")
    return [
        pytest.param(entity.type, verb, kind, id=f"{verb}-{entity.type}-{kind}")
        for entity in ENTITIES
        for verb in ("Update", "Archive", "Restore")
        for kind in (ID_KINDS if verb == "Update" else few)
    ]


@pytest.mark.parametrize(("type_name", "verb", "kind"), _record_id_cases())
async def test_bad_record_ids_are_not_found_and_change_nothing(
    app, world, foreign, type_name, verb, kind
):
    entity = ENTITY[type_name]
    mine = await world.id_of(type_name)  # a record of the type exists in the caller's workspace
    data = {"id": await bad_id(world, foreign, kind, type_name)}
    if verb == "Update":
        data |= put({}, entity.texts[0], "Changed")
    async with client_for(app, foreign.key) as other:
        theirs = World(other)
        their_before = await theirs.state(entity, foreign.ids[type_name])
        before = await world.state(entity, mine)
        response = await post(world.client, entity.mutation(verb), {"input": data})
        errors = assert_refused(response, f"{entity.key}{verb}", entity.key)
        assert await world.state(entity, mine) == before
        assert await theirs.state(entity, foreign.ids[type_name]) == their_before
    if "data" in response.json():  # refused by the resolver, not as a malformed request
        assert errors[0]["code"] == "NOT_FOUND", errors
        assert errors[0]["field"] == ["id"], errors


@pytest.mark.parametrize("kind", ID_KINDS)
@pytest.mark.parametrize("verb", VERBS)
@pytest.mark.parametrize("type_name", [e.type for e in ENTITIES if e.references])
async def test_bad_reference_ids_are_not_found_and_change_nothing(
    world, foreign, type_name, verb, kind
):
    """Every reference of the input at once: each is reported NOT_FOUND, nothing is written."""
    entity = ENTITY[type_name]
    data = await world.input_for(entity, verb)
    for path, target in entity.references.items():
        if path.startswith("lineItems."):
            data["lineItems"] = [{"productId": None, "quantity": "1"}]
        data = put(data, path, await bad_id(world, foreign, kind, target))
    errors = await refused_without_change(world, entity, verb, None, None, data=data)
    if "code" not in errors[0]:  # refused as a malformed request
        return
    assert {error["code"] for error in errors} == {"NOT_FOUND"}, errors
    reported = {".".join(error["field"]) for error in errors}
    # Line items are checked once the opportunity's own fields are valid.
    expected = {path for path in entity.references if not path.startswith("lineItems.")}
    assert reported == expected, errors


@pytest.mark.parametrize("kind", ID_KINDS)
@pytest.mark.parametrize("verb", VERBS)
async def test_bad_product_ids_in_line_items_are_not_found(world, foreign, verb, kind):
    entity = ENTITY["Opportunity"]
    value = await bad_id(world, foreign, kind, "Product")
    errors = await refused_without_change(world, entity, verb, "lineItems.0.productId", value)
    if "code" in errors[0]:
        assert errors == [
            {"field": ["lineItems", "0", "productId"], "code": "NOT_FOUND", "message": ANY}
        ]


@pytest.mark.parametrize("kind", [kind for kind in ID_KINDS if kind != "other type"])
async def test_bad_ids_read_as_null(world, foreign, kind):
    ids = [await bad_id(world, foreign, kind, entity.type) for entity in ENTITIES]
    query = "query($id: ID!, $ids: [ID!]!) { node(id: $id) { id } nodes(ids: $ids) { id } }"
    response = await post(world.client, query, {"id": ids[0], "ids": ids})
    body = assert_no_internal_error(response)
    if "errors" not in body:
        assert body["data"] == {"node": None, "nodes": [None] * len(ids)}


async def test_more_than_100_ids_are_bad_user_input(world):
    response = await post(
        world.client,
        "query($ids: [ID!]!) { nodes(ids: $ids) { id } }",
        {"ids": [b64(f"v1:Account:{n}") for n in range(1, 102)]},
    )
    assert_bad_user_input(response)


# --- Lists: paging, cursors, filters, ordering -------------------------------------------

LIST_QUERY = """
query($first: Int, $after: String, $last: Int, $before: String, $filter: {type}Filter,
      $orderBy: [{type}Order!]) {{
  {list}(first: $first, after: $after, last: $last, before: $before, filter: $filter,
         orderBy: $orderBy) {{
    totalCount edges {{ cursor node {{ id }} }} pageInfo {{ hasNextPage endCursor }}
  }}
}}
"""


def list_query(entity: Entity) -> str:
    return LIST_QUERY.format(type=entity.type, list=entity.list)


def assert_clear_or_answered(response: httpx.Response) -> None:
    """Either an answer, or clear errors (BAD_USER_INPUT or a request error); never a crash."""
    body = assert_no_internal_error(response)
    if body.get("errors") and response.status_code not in REQUEST_ERROR_STATUSES:
        codes = {(error.get("extensions") or {}).get("code") for error in body["errors"]}
        assert codes == {"BAD_USER_INPUT"}, body


BAD_PAGE_ARGS = [
    ("first -1", {"first": -1}),
    ("last -1", {"last": -1}),
    ("first 101", {"first": 101}),
    ("last 101", {"last": 101}),
    ("first 2^31-1", {"first": 2**31 - 1}),
    ("last -2^31", {"last": -(2**31)}),
    ("first 2^31", {"first": 2**31}),
    ("last 2^53", {"last": 2**53}),
    ("first and last", {"first": 1, "last": 1}),
    ("first a string", {"first": "10"}),
    ("first a float", {"first": 1.5}),
    ("first NaN", {"first": Raw("NaN")}),
    ("first Infinity", {"first": Raw("Infinity")}),
    ("first an object", {"first": {}}),
    ("after a number", {"after": 123}),
    ("after an object", {"after": {"o": "id:asc", "k": [1]}}),
    ("archived unknown", {"filter": {"archived": "NOPE"}}),
    ("archived null", {"filter": {"archived": None}}),
    ("filter a string", {"filter": "ACTIVE"}),
    ("filter unknown field", {"filter": {"deleted": True}}),
    ("filter nested 300 deep", {"filter": json.loads('{"not":' * 300 + "{}" + "}" * 300)}),
    ("order field unknown", {"orderBy": [{"field": "NOPE"}]}),
    ("order direction unknown", {"orderBy": [{"field": "ID", "direction": "SIDEWAYS"}]}),
    ("order without field", {"orderBy": [{"direction": "ASC"}]}),
    ("order null term", {"orderBy": [None]}),
    ("order a string", {"orderBy": "ID"}),
]


@pytest.mark.parametrize(("label", "args"), BAD_PAGE_ARGS, ids=[a[0] for a in BAD_PAGE_ARGS])
@pytest.mark.parametrize("type_name", list(ENTITY))
async def test_bad_list_arguments_are_clear_errors(world, type_name, label, args):
    response = await post(world.client, list_query(ENTITY[type_name]), args)
    assert_bad_user_input(response)


def decode_cursor(cursor: str) -> dict[str, Any]:
    return dict(json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))))


def cursor_text(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def forged(genuine: dict[str, Any], *, keys: Any = None, last_key: Any = None, **fields: Any):
    """A cursor like `genuine` with other key values (`keys`), or another last (id) key;
    Raw values are spliced in as JSON literals (NaN, 1e309)."""
    payload = {**genuine, **fields}
    if keys is not None:
        payload["k"] = keys
    if last_key is not None:
        payload["k"] = [*genuine["k"][:-1], last_key]
    return cursor_text(dumps(payload))


# Account orderings whose forged cursors are tried: by each kind of sort key.
ORDERINGS = (None, "NAME", "EMPLOYEE_COUNT", "ANNUAL_REVENUE", "CREATED_AT", "LIFECYCLE_STAGE")


@pytest.fixture(scope="session")
async def genuine_cursors(app: Any, foreign: Foreign) -> dict[tuple[str, str | None], Any]:
    """Decoded cursors the API itself issued: every list by default, Account by each key."""
    cursors = {}
    async with client_for(app, foreign.key) as client:
        wanted = [(entity, None) for entity in ENTITIES]
        wanted += [(ENTITY["Account"], field) for field in ORDERINGS if field]
        for entity, field in wanted:
            order = [{"field": field}] if field else None
            response = await post(client, list_query(entity), {"first": 1, "orderBy": order})
            edges = succeeded(response)[entity.list]["edges"]
            cursors[entity.type, field] = decode_cursor(edges[0]["cursor"])
    return cursors


# (label, cursor made from a genuine decoded one): all malformed, all BAD_USER_INPUT.
MALFORMED_CURSORS: list[tuple[str, Callable[[dict[str, Any]], str]]] = [
    ("empty", lambda _g: ""),
    ("garbage", lambda _g: "not a cursor"),
    ("punctuation", lambda _g: "!!!"),
    ("non-ASCII", lambda _g: "curs\u00f6r"),
    ("lone surrogate", lambda _g: "\ud800"),
    ("random base64", lambda _g: base64.urlsafe_b64encode(bytes(range(130, 160))).decode()),
    ("base64 of text", lambda _g: cursor_text("hello world")),
    ("base64 of invalid UTF-8", lambda _g: base64.urlsafe_b64encode(b'{"o":"\xff"}').decode()),
    ("JSON list", lambda _g: cursor_text("[1]")),
    ("JSON null", lambda _g: cursor_text("null")),
    ("JSON number", lambda _g: cursor_text("1")),
    ("JSON string", lambda _g: cursor_text('"id"')),
    ("JSON empty object", lambda _g: cursor_text("{}")),
    ("no keys", lambda g: cursor_text(json.dumps({"o": g["o"]}))),
    ("no ordering", lambda g: cursor_text(json.dumps({"k": g["k"]}))),
    ("other ordering", lambda g: forged(g, o=g["o"] + ",x:asc")),
    ("old ordering format", lambda g: forged(g, o="id")),
    ("ordering a list", lambda g: forged(g, o=[g["o"]])),
    ("ordering an object", lambda g: forged(g, o={"a": 1})),
    ("one key too many", lambda g: forged(g, keys=[*g["k"], 1])),
    ("no key values", lambda g: forged(g, keys=[])),
    ("keys a number", lambda g: forged(g, k=5)),
    ("keys null", lambda g: forged(g, k=None)),
    ("keys a string", lambda g: forged(g, k="x")),
    ("keys an object", lambda g: forged(g, k={"a": 1})),
    ("id a string", lambda g: forged(g, last_key="x")),
    ("id a float", lambda g: forged(g, last_key=1.5)),
    ("id 1e309", lambda g: forged(g, last_key=Raw("1e309"))),
    ("id NaN", lambda g: forged(g, last_key=Raw("NaN"))),
    ("id a list", lambda g: forged(g, last_key=[1])),
    ("id an object", lambda g: forged(g, last_key={"a": 1})),
    ("id true", lambda g: forged(g, last_key=True)),
    ("deeply nested JSON", lambda _g: cursor_text("[" * 100_000)),
    ("900k chars", lambda _g: "A" * 900_000),
]
# Well-formed, but never issued: an empty page or BAD_USER_INPUT, never a crash.
OUT_OF_RANGE_CURSORS: list[tuple[str, Callable[[dict[str, Any]], str]]] = [
    ("id 2^63", lambda g: forged(g, last_key=2**63)),
    ("id 10^20", lambda g: forged(g, last_key=10**20)),
    ("id -10^20", lambda g: forged(g, last_key=-(10**20))),
    ("id -1", lambda g: forged(g, last_key=-1)),
]


def _cursor_cases() -> list[Any]:
    return [
        pytest.param(entity.type, label, make, strict, id=f"{entity.type}-{label}")
        for entity in ENTITIES
        for cases, strict in ((MALFORMED_CURSORS, True), (OUT_OF_RANGE_CURSORS, False))
        for label, make in cases
    ]


@pytest.mark.parametrize("direction", ["after", "before"])
@pytest.mark.parametrize(("type_name", "label", "make", "strict"), _cursor_cases())
async def test_forged_cursors_are_bad_user_input(
    world, genuine_cursors, type_name, label, make, strict, direction
):
    cursor = make(genuine_cursors[type_name, None])
    response = await post(world.client, list_query(ENTITY[type_name]), {direction: cursor})
    if strict:
        assert_bad_user_input(response)
    else:
        assert_clear_or_answered(response)


# Forged sort keys of each kind: (ordering, label, key value, must be refused).
SORT_KEY_FORGERIES = [
    ("NAME", "a number", 123, True),
    ("NAME", "a list", ["a"], True),
    ("NAME", "true", True, True),
    ("NAME", "NUL", "a\x00b", False),
    ("NAME", "lone surrogate", "\ud800", False),
    ("NAME", "100k chars", "a" * 100_000, False),
    ("EMPLOYEE_COUNT", "a string", "12", True),
    ("EMPLOYEE_COUNT", "a float", 1.5, True),
    ("EMPLOYEE_COUNT", "true", True, True),
    ("EMPLOYEE_COUNT", "2^31", 2**31, False),
    ("EMPLOYEE_COUNT", "10^20", 10**20, False),
    ("ANNUAL_REVENUE", "words", "ten", True),
    ("ANNUAL_REVENUE", "a list", [1], True),
    ("ANNUAL_REVENUE", "an object", {"a": 1}, True),
    ("ANNUAL_REVENUE", "true", True, True),
    ("ANNUAL_REVENUE", "NaN", "NaN", False),
    ("ANNUAL_REVENUE", "sNaN", "sNaN", False),
    ("ANNUAL_REVENUE", "Infinity", "Infinity", False),
    ("ANNUAL_REVENUE", "1e400", "1e400", False),
    ("CREATED_AT", "words", "yesterday", True),
    ("CREATED_AT", "a number", 1_700_000_000, True),
    ("CREATED_AT", "a list", [2026, 1, 1], True),
    ("CREATED_AT", "no offset", "2026-01-01T00:00:00", False),
    ("CREATED_AT", "year 1 east of UTC", "0001-01-01T00:00:00+01:00", False),
    ("CREATED_AT", "year 9999 west of UTC", "9999-12-31T23:59:59-23:59", False),
    ("LIFECYCLE_STAGE", "unknown", "NOPE", True),
    ("LIFECYCLE_STAGE", "a number", 1, True),
    ("LIFECYCLE_STAGE", "a list", ["REACH"], True),
]


@pytest.mark.parametrize("direction", ["after", "before"])
@pytest.mark.parametrize(
    ("field", "label", "value", "strict"),
    SORT_KEY_FORGERIES,
    ids=[f"{field}-{label}" for field, label, _, _ in SORT_KEY_FORGERIES],
)
async def test_forged_sort_keys_are_bad_user_input(
    world, genuine_cursors, field, label, value, strict, direction
):
    genuine = genuine_cursors["Account", field]
    cursor = forged(genuine, keys=[value, *genuine["k"][1:]])
    variables = {direction: cursor, "orderBy": [{"field": field}]}
    response = await post(world.client, list_query(ENTITY["Account"]), variables)
    if strict:
        assert_bad_user_input(response)
    else:
        assert_clear_or_answered(response)


@pytest.mark.parametrize("direction", ["after", "before"])
@pytest.mark.parametrize("field", ORDERINGS)
async def test_genuine_cursors_of_every_ordering_page(world, genuine_cursors, field, direction):
    """The control for the forgeries above: an issued cursor is accepted as it is."""
    cursor = cursor_text(json.dumps(genuine_cursors["Account", field]))
    variables = {direction: cursor, "orderBy": [{"field": field}] if field else None}
    response = await post(world.client, list_query(ENTITY["Account"]), variables)
    succeeded(response)


def _filter_attacks(entity: Entity) -> list[tuple[str, Any, bool]]:
    """(label, filter, must be refused) for the fields of `entity`'s filter."""
    t, text, huge = entity.type, entity.texts[0], 10**20
    attacks: list[tuple[str, Any, bool]] = [
        ("id not an id", {"id": {"eq": "nonsense"}}, True),
        ("id of an unknown type", {"id": {"eq": b64("v1:Nope:1")}}, True),
        ("id zero", {"id": {"eq": b64(f"v1:{t}:0")}}, True),
        ("id in with a lone surrogate", {"id": {"in": ["\ud800"]}}, True),
        ("id 10^20", {"id": {"eq": b64(f"v1:{t}:{huge}")}}, False),
        ("id in 2^63", {"id": {"in": [b64(f"v1:{t}:{2**63}")]}}, False),
        ("version 2^31", {"version": {"gt": 2**31}}, True),
        ("createdAt without offset", {"createdAt": {"gt": "2026-01-01T00:00:00"}}, True),
        ("createdAt a date", {"createdAt": {"gt": "2026-01-01"}}, True),
        ("createdAt year 1 east", {"createdAt": {"gt": "0001-01-01T00:00:00+01:00"}}, False),
        ("createdAt year 9999 west", {"createdAt": {"lt": "9999-12-31T23:59:59-23:59"}}, False),
        ("createdAt in year 1 east", {"createdAt": {"in": ["0001-01-01T00:30:00+01:00"]}}, False),
        ("text an object", {text: {"eq": {"a": 1}}}, True),
        ("text eq NUL", {text: {"eq": "a\x00b"}}, False),
        ("text contains NUL", {text: {"contains": "\x00"}}, False),
        ("text eq lone surrogate", {text: {"eq": "\ud800"}}, False),
        ("text contains lone surrogate", {text: {"contains": "a\udfff"}}, False),
        ("text contains 100k chars", {text: {"contains": "a" * 100_000}}, False),
        ("text startsWith LIKE wildcards", {text: {"startsWith": "%_\\[]*"}}, False),
        ("not nested 40 deep", json.loads('{"not":' * 40 + "{}" + "}" * 40), False),
    ]
    if t == "Account":  # heavy; the code that builds the SQL is shared by every list
        attacks += [
            ("version in 33000 values", {"version": {"in": list(range(33_000))}}, False),
            ("text in 33000 values", {text: {"in": ["a"] * 33_000}}, False),
            ("and of 3000", {"and": [{text: {"eq": "x"}}] * 3000}, False),
            ("or of 3000", {"or": [{text: {"eq": "x"}}] * 3000}, False),
        ]
    if "ownerId" in entity.references:
        attacks += [
            ("ownerId 10^20", {"ownerId": {"eq": b64(f"v1:User:{huge}")}}, False),
            ("owner's id 10^20", {"owner": {"id": {"eq": b64(f"v1:User:{huge}")}}}, False),
            ("ownerId of an account", {"ownerId": {"eq": b64("v1:Account:1")}}, True),
        ]
    decimal = next((path for path in entity.decimals if "." not in path), None)
    if decimal:
        attacks += [
            (f"decimal {label}", {decimal: {operator: value}}, strict)
            for label, operator, value, strict in [
                ("words", "gt", "ten", True),
                ("NaN", "gt", "NaN", False),
                ("sNaN", "lt", "sNaN", False),
                ("Infinity", "gt", "Infinity", False),
                ("-Infinity", "gte", "-Infinity", False),
                ("1e400", "lt", "1e400", False),
                ("3 places", "eq", "1.005", False),
            ]
        ]
        attacks.append(("decimal in NaN", {decimal: {"in": ["NaN"]}}, False))
    return attacks


@pytest.mark.parametrize(
    ("type_name", "label", "filter", "strict"),
    [
        pytest.param(entity.type, label, filter, strict, id=f"{entity.type}-{label}")
        for entity in ENTITIES
        for label, filter, strict in _filter_attacks(entity)
    ],
)
async def test_hostile_filters_are_clear_errors_or_answers(world, type_name, label, filter, strict):
    response = await post(world.client, list_query(ENTITY[type_name]), {"filter": filter})
    if strict:
        assert_bad_user_input(response)
    else:
        assert_clear_or_answered(response)


NESTED_QUERY = """
query($id: ID!, $first: Int, $after: String, $last: Int, $filter: ContactFilter) {
  node(id: $id) { ... on Account {
    contacts(first: $first, after: $after, last: $last, filter: $filter) {
      totalCount edges { cursor } } } }
}
"""


NESTED_ARGS: list[tuple[str, Callable[[dict[str, Any]], dict[str, Any]]]] = [
    ("first -1", lambda _g: {"first": -1}),
    ("first and last", lambda _g: {"first": 1, "last": 1}),
    ("last 101", lambda _g: {"last": 101}),
    ("cursor garbage", lambda _g: {"after": "not a cursor"}),
    ("cursor keys a number", lambda g: {"after": forged(g, k=5)}),
    ("cursor id true", lambda g: {"after": forged(g, last_key=True)}),
    ("cursor id 10^20", lambda g: {"after": forged(g, last_key=10**20)}),
    ("cursor deeply nested", lambda _g: {"after": cursor_text("[" * 100_000)}),
    ("filter id 10^20", lambda _g: {"filter": {"id": {"eq": b64(f"v1:Contact:{10**20}")}}}),
    ("filter NUL", lambda _g: {"filter": {"lastName": {"eq": "\x00"}}}),
    ("filter lone surrogate", lambda _g: {"filter": {"lastName": {"contains": "\ud800"}}}),
    ("filter naive datetime", lambda _g: {"filter": {"createdAt": {"gt": "2026-01-01T00:00"}}}),
]


@pytest.mark.parametrize(("label", "make"), NESTED_ARGS, ids=[a[0] for a in NESTED_ARGS])
async def test_bad_arguments_on_related_lists_are_clear_errors(world, genuine_cursors, label, make):
    account = await world.id_of("Account")
    await world.create(ENTITY["Contact"], accountId=account)
    args = make(genuine_cursors["Contact", None])
    response = await post(world.client, NESTED_QUERY, {"id": account, **args})
    assert_clear_or_answered(response)
    if not label.startswith(("cursor id 10^20", "filter id", "filter NUL", "filter lone")):
        assert response.json().get("errors"), response.json()


# --- Amounts at the edges ----------------------------------------------------------------

MAX_MONEY = "9999999999999999.99"


@pytest.mark.parametrize(
    ("label", "items"),
    [
        ("one line over the maximum", [("2", None)]),
        ("largest quantity at the largest price", [("1000000000", None)]),
        ("two lines whose sum is over the maximum", [("1", None), ("1", None)]),
        ("explicit unit price", [("1000000000", MAX_MONEY)]),
    ],
)
@pytest.mark.parametrize("verb", VERBS)
async def test_line_items_adding_up_beyond_the_money_range_are_refused(world, verb, label, items):
    entity = ENTITY["Opportunity"]
    product = await world.create(ENTITY["Product"], unitPrice=MAX_MONEY)
    line_items = [
        {"productId": product, "quantity": quantity} | ({"unitPrice": price} if price else {})
        for quantity, price in items
    ]
    data = {**await world.input_for(entity, verb), "lineItems": line_items}
    errors = await refused_without_change(world, entity, verb, None, None, data=data)
    assert errors[0].get("code") == "INVALID", errors


def _edge_decimal_cases() -> list[Any]:
    values = [
        ("-0", "-0"),
        ("JSON -0.0", Raw("-0.0")),
        ("float 1.5", 1.5),
        ("zero with a huge exponent", "0E+999999999"),
        ("maximum", MAX_MONEY),
    ]
    return [
        pytest.param(entity.type, path, value, id=f"{entity.type}.{path}={label}")
        for entity in ENTITIES
        for path in entity.decimals
        for label, value in values
    ]


@pytest.mark.parametrize(("type_name", "path", "value"), _edge_decimal_cases())
async def test_edge_decimals_are_refused_or_stored_exactly_as_returned(
    world, type_name, path, value
):
    entity = ENTITY[type_name]
    data = await world.input_for(entity, "Create", path, value)
    before = await world.state()
    response = await post(world.client, entity.mutation("Create"), {"input": data})
    body = assert_no_internal_error(response)
    if "errors" in body:
        assert response.status_code in REQUEST_ERROR_STATUSES
        assert await world.state() == before
        return
    payload = body["data"][f"{entity.key}Create"]
    if payload["userErrors"]:
        assert await world.state() == before
        return
    record = payload[entity.key]
    stored = await world.state(entity, record["id"])
    assert stored["node"] == record, "the write's payload differs from what was stored"
    assert not str(dig(record, path.replace("lineItems.0", "lineItems.nodes.0"))).startswith("-"), (
        "a negative zero amount"
    )


# --- HTTP edge ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("label", "body"),
    [
        ("deeply nested JSON body", "[" * 100_000),
        (
            "deeply nested variables",
            '{"query": "{ accounts { totalCount } }", "variables": '
            + '{"a":' * 100_000
            + "1"
            + "}" * 100_000
            + "}",
        ),
        (
            "lone surrogate operation name",
            dumps({"query": "query A { accounts { totalCount } }", "operationName": "\ud800"}),
        ),
        ("lone surrogate in the document", dumps({"query": 'query { node(id: "\ud800") { id } }'})),
        (
            "lone surrogate variable name",
            dumps({"query": "{ accounts { totalCount } }", "variables": {"\ud800": 1}}),
        ),
        (
            "lone surrogate variable of unknown type",
            dumps({"query": "query($a: Nope\ud800) { accounts { totalCount } }"}),
        ),
        ("NUL in the document", dumps({"query": "{ accounts { totalCount } }\x00"})),
        (
            "over 1 MB",
            dumps({"query": "{ accounts { totalCount } }", "variables": {"x": "a" * 1_000_001}}),
        ),
        ("invalid UTF-8", b'{"query": "{ accounts { totalCount } }", "x": "\xff"}'),
        ("UTF-16", '{"query": "{ accounts { totalCount } }"}'.encode("utf-16")),
        ("NaN variables", '{"query": "{ accounts { totalCount } }", "variables": NaN}'),
    ],
    ids=lambda value: value if isinstance(value, str) and len(value) < 60 else None,
)
async def test_malformed_requests_are_request_errors(world, label, body):
    before = await world.state()
    response = await world.client.post(
        "/graphql", content=body, headers={"content-type": "application/json"}
    )
    assert_no_internal_error(response)
    assert await world.state() == before
