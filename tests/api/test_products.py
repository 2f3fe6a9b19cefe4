"""Products over GraphQL: prices as exact decimals, currencies, SKU uniqueness, active flag, archive."""

from __future__ import annotations

import asyncio

import pytest

from resolvers import global_ids
from tests.helpers import execute, gql, ok, refused

PRODUCT_FIELDS = """
    id name sku description unitPrice currency vendor active
    version createdAt updatedAt archivedAt owner { id name }
"""

CREATE = f"""
mutation Create($input: ProductCreateInput!) {{
  productCreate(input: $input) {{ product {{ {PRODUCT_FIELDS} }} userErrors {{ field message code }} }}
}}
"""
UPDATE = f"""
mutation Update($input: ProductUpdateInput!) {{
  productUpdate(input: $input) {{ product {{ {PRODUCT_FIELDS} }} userErrors {{ field message code }} }}
}}
"""
ARCHIVE = """
mutation Archive($input: ProductArchiveInput!) {
  productArchive(input: $input) { product { id archivedAt version } userErrors { field message code } }
}
"""
RESTORE = """
mutation Restore($input: ProductRestoreInput!) {
  productRestore(input: $input) { product { id archivedAt version } userErrors { field message code } }
}
"""
LIST = """
query List($filter: ProductFilter) {
  products(filter: $filter) { totalCount nodes { id sku } }
}
"""
NODE = f"""
query Node($id: ID!) {{ node(id: $id) {{ id ... on Product {{ {PRODUCT_FIELDS} }} }} }}
"""
CREATE_USER = """
mutation($input: UserCreateInput!) {
  userCreate(input: $input) { user { id name } userErrors { field message code } }
}
"""




async def create_product(client, **fields):
    data = await gql(client, CREATE, input={"name": "Widget", "sku": "W-1", "unitPrice": "19.99", **fields})
    return ok(data["productCreate"])


async def read(client, product_id):
    return (await gql(client, NODE, id=product_id))["node"]


async def test_create_returns_every_field(client):
    owner = ok((await gql(client, CREATE_USER, input={"name": "Ada", "email": "ada@example.com"}))["userCreate"])
    product = await create_product(
        client,
        name=" Widget Pro ",
        sku=" WP-100 ",
        description="The professional widget.",
        unitPrice="1249.50",
        currency="eur",
        vendor="Widgets GmbH",
        active=False,
        ownerId=owner["id"],
    )
    assert product["name"] == "Widget Pro"
    assert product["sku"] == "WP-100"
    assert product["description"] == "The professional widget."
    assert product["unitPrice"] == "1249.50"
    assert product["currency"] == "EUR"
    assert product["vendor"] == "Widgets GmbH"
    assert product["active"] is False
    assert product["owner"] == owner
    assert product["version"] == 1
    assert product["archivedAt"] is None
    assert product["createdAt"].endswith("+00:00")
    assert await read(client, product["id"]) == product


async def test_defaults_active_and_workspace_currency(client):
    product = await create_product(client)
    assert product["active"] is True
    assert product["currency"] == "USD"
    for field in ("description", "vendor", "owner"):
        assert product[field] is None, field


@pytest.mark.parametrize(("given", "stored"), [
    ("0", "0.00"), ("0.01", "0.01"), ("7", "7.00"), ("7.5", "7.50"), ("19.99", "19.99"),
    ("1E+2", "100.00"), ("12345678901.23", "12345678901.23"),
])
async def test_unit_price_reads_back_as_an_exact_two_place_decimal(client, given, stored):
    product = await create_product(client, unitPrice=given)
    assert (await read(client, product["id"]))["unitPrice"] == stored


async def test_the_largest_accepted_unit_price_is_stored_exactly(client):
    product = await create_product(client, unitPrice="9999999999999999.99")
    assert (await read(client, product["id"]))["unitPrice"] == "9999999999999999.99"


@pytest.mark.parametrize(("given", "stored"), [("7", "7.00"), ("7.5", "7.50"), ("7.500", "7.50"), ("1E+2", "100.00")])
async def test_created_unit_price_is_returned_as_stored(client, given, stored):
    product = await create_product(client, unitPrice=given)
    assert product["unitPrice"] == stored
    assert (await read(client, product["id"]))["unitPrice"] == stored


async def test_updated_unit_price_is_returned_as_stored(client):
    product = await create_product(client)
    updated = ok((await gql(client, UPDATE, input={"id": product["id"], "unitPrice": "24.5"}))["productUpdate"])
    assert updated["unitPrice"] == "24.50"
    assert (await read(client, product["id"]))["unitPrice"] == "24.50"


async def test_unit_price_with_trailing_zeros_beyond_two_places_is_accepted(client):
    product = await create_product(client, unitPrice="10.5000")
    assert (await read(client, product["id"]))["unitPrice"] == "10.50"


@pytest.mark.parametrize("price", ["10.123", "0.001", "-1", "-0.01", "NaN", "Infinity"])
async def test_unit_price_must_be_a_non_negative_amount_with_two_decimals(client, price):
    data = await gql(client, CREATE, input={"name": "W", "sku": "W-1", "unitPrice": price})
    error = refused(data["productCreate"], "INVALID", ["unitPrice"])
    assert error["message"].startswith("Unit price ")
    assert (await gql(client, LIST, filter={"archived": "ALL"}))["products"]["totalCount"] == 0


async def test_unit_price_must_fit_the_stored_precision(client):
    data = await gql(client, CREATE, input={"name": "W", "sku": "W-1", "unitPrice": "10000000000000000"})
    refused(data["productCreate"], "INVALID", ["unitPrice"])


async def test_unit_price_that_is_not_a_number_is_a_graphql_error(client):
    body = await execute(client, CREATE, input={"name": "W", "sku": "W-1", "unitPrice": "ten dollars"})
    assert body.get("data") is None
    assert body["errors"]
    assert (await gql(client, LIST))["products"]["totalCount"] == 0


@pytest.mark.parametrize("currency", ["XXQ", "EURO", "US", "", "€"])
async def test_currency_must_be_iso_4217(client, currency):
    data = await gql(client, CREATE, input={"name": "W", "sku": "W-1", "unitPrice": "1", "currency": currency})
    refused(data["productCreate"], "INVALID", ["currency"])


@pytest.mark.parametrize(("given", "stored"), [("chf", "CHF"), (" jpy ", "JPY"), ("GBP", "GBP")])
async def test_currency_is_normalised_to_upper_case(client, given, stored):
    product = await create_product(client, currency=given)
    assert product["currency"] == stored


async def test_invalid_fields_are_all_reported_in_camel_case_and_nothing_is_written(client):
    data = await gql(client, CREATE, input={
        "name": "", "sku": "s" * 65, "unitPrice": "1.001", "currency": "ZZZ",
        "vendor": "v" * 256, "description": "d" * 10_001,
    })
    assert data["productCreate"]["product"] is None
    errors = data["productCreate"]["userErrors"]
    assert {tuple(error["field"]): error["code"] for error in errors} == {
        ("name",): "REQUIRED",
        ("sku",): "INVALID",
        ("unitPrice",): "INVALID",
        ("currency",): "INVALID",
        ("vendor",): "INVALID",
        ("description",): "INVALID",
    }
    assert all(error["message"] for error in errors)
    assert (await gql(client, LIST))["products"]["totalCount"] == 0


async def test_text_at_the_limit_is_accepted(client):
    product = await create_product(client, name="n" * 255, sku="s" * 64, vendor="v" * 255, description="d" * 10_000)
    assert (len(product["name"]), len(product["sku"]), len(product["vendor"])) == (255, 64, 255)
    assert len(product["description"]) == 10_000


async def test_blank_sku_is_required(client):
    data = await gql(client, CREATE, input={"name": "W", "sku": "   ", "unitPrice": "1"})
    refused(data["productCreate"], "REQUIRED", ["sku"])


async def test_owner_must_be_a_user_of_the_workspace(client, other_client):
    product = await create_product(client, sku="OTHER")
    foreign = ok((await gql(other_client, CREATE_USER, input={"name": "F", "email": "f@example.com"}))["userCreate"])
    for bad_id in ("nonsense", product["id"], foreign["id"], global_ids.encode("User", 999_999_999)):
        data = await gql(client, CREATE, input={"name": "W", "sku": "W-1", "unitPrice": "1", "ownerId": bad_id})
        refused(data["productCreate"], "NOT_FOUND", ["ownerId"])


async def test_second_product_with_the_same_sku_is_a_duplicate(client):
    first = await create_product(client, sku="W-1")
    data = await gql(client, CREATE, input={"name": "Copy", "sku": " W-1 ", "unitPrice": "5"})
    refused(data["productCreate"], "DUPLICATE", ["sku"])
    assert (await gql(client, LIST))["products"]["nodes"] == [{"id": first["id"], "sku": "W-1"}]


async def test_an_archived_products_sku_stays_taken(client):
    product = await create_product(client, sku="W-1")
    ok((await gql(client, ARCHIVE, input={"id": product["id"]}))["productArchive"])
    data = await gql(client, CREATE, input={"name": "Successor", "sku": "W-1", "unitPrice": "5"})
    refused(data["productCreate"], "DUPLICATE", ["sku"])


async def test_another_workspace_may_reuse_the_sku(client, other_client):
    ours = await create_product(client, sku="W-1")
    theirs = await create_product(other_client, sku="W-1", unitPrice="25.00")
    assert theirs["sku"] == "W-1"
    assert (await gql(client, LIST))["products"]["nodes"] == [{"id": ours["id"], "sku": "W-1"}]
    assert (await gql(other_client, LIST))["products"]["nodes"] == [{"id": theirs["id"], "sku": "W-1"}]
    assert (await read(client, ours["id"]))["unitPrice"] == "19.99"


async def test_update_to_a_taken_sku_is_a_duplicate_and_changes_nothing(client):
    await create_product(client, sku="W-1")
    other = await create_product(client, sku="W-2")
    data = await gql(client, UPDATE, input={"id": other["id"], "sku": "W-1", "name": "Renamed"})
    refused(data["productUpdate"], "DUPLICATE", ["sku"])
    assert await read(client, other["id"]) == other


async def test_update_may_keep_its_own_sku(client):
    product = await create_product(client, sku="W-1")
    data = await gql(client, UPDATE, input={"id": product["id"], "sku": "W-1", "name": "Renamed"})
    assert ok(data["productUpdate"])["name"] == "Renamed"


async def test_update_changes_only_given_fields_and_bumps_version(client):
    product = await create_product(client, description="Original", vendor="Acme", currency="EUR")
    data = await gql(client, UPDATE, input={
        "id": product["id"], "expectedVersion": 1, "unitPrice": "24.50", "vendor": None,
    })
    updated = ok(data["productUpdate"])
    assert updated["unitPrice"] == "24.50"
    assert updated["vendor"] is None
    assert updated["description"] == "Original"
    assert updated["currency"] == "EUR"
    assert updated["name"] == "Widget"
    assert updated["sku"] == "W-1"
    assert updated["active"] is True
    assert updated["version"] == 2
    assert updated["updatedAt"] >= product["updatedAt"]
    assert await read(client, product["id"]) == updated


async def test_active_flag_can_be_switched_off_and_on(client):
    product = await create_product(client)
    off = ok((await gql(client, UPDATE, input={"id": product["id"], "active": False}))["productUpdate"])
    assert (off["active"], off["version"]) == (False, 2)
    assert (await read(client, product["id"]))["active"] is False
    on = ok((await gql(client, UPDATE, input={"id": product["id"], "active": True}))["productUpdate"])
    assert (on["active"], on["version"]) == (True, 3)


async def test_inactive_products_stay_listed(client):
    product = await create_product(client, active=False)
    assert (await gql(client, LIST))["products"]["nodes"] == [{"id": product["id"], "sku": "W-1"}]


@pytest.mark.parametrize("field", ["name", "sku", "unitPrice", "currency", "active"])
async def test_required_fields_cannot_be_cleared(client, field):
    product = await create_product(client)
    data = await gql(client, UPDATE, input={"id": product["id"], field: None})
    refused(data["productUpdate"], "REQUIRED", [field])
    assert await read(client, product["id"]) == product


async def test_update_validates_price_and_currency(client):
    product = await create_product(client)
    data = await gql(client, UPDATE, input={"id": product["id"], "unitPrice": "9.999"})
    refused(data["productUpdate"], "INVALID", ["unitPrice"])
    data = await gql(client, UPDATE, input={"id": product["id"], "currency": "ABC"})
    refused(data["productUpdate"], "INVALID", ["currency"])
    assert await read(client, product["id"]) == product


async def test_stale_expected_version_is_a_conflict_and_changes_nothing(client):
    product = await create_product(client)
    first = ok((await gql(client, UPDATE, input={"id": product["id"], "unitPrice": "20.00"}))["productUpdate"])
    data = await gql(client, UPDATE, input={"id": product["id"], "expectedVersion": 1, "unitPrice": "1.00"})
    refused(data["productUpdate"], "VERSION_CONFLICT", ["expectedVersion"])
    assert await read(client, product["id"]) == first
    assert first["unitPrice"] == "20.00"


async def test_unknown_or_wrong_type_ids_are_not_found(client):
    owner = ok((await gql(client, CREATE_USER, input={"name": "Ada", "email": "ada@example.com"}))["userCreate"])
    for bad_id in ("nonsense", owner["id"], global_ids.encode("Product", 999_999_999)):
        data = await gql(client, UPDATE, input={"id": bad_id, "name": "X"})
        refused(data["productUpdate"], "NOT_FOUND", ["id"])


async def test_archive_hides_from_lists_and_restore_brings_back(client):
    kept = await create_product(client, sku="KEPT")
    gone = await create_product(client, sku="GONE")
    archived = ok((await gql(client, ARCHIVE, input={"id": gone["id"], "expectedVersion": 1}))["productArchive"])
    assert archived["archivedAt"] is not None
    assert archived["version"] == 2

    assert (await gql(client, LIST))["products"]["nodes"] == [{"id": kept["id"], "sku": "KEPT"}]
    only_archived = await gql(client, LIST, filter={"archived": "ARCHIVED"})
    assert only_archived["products"]["nodes"] == [{"id": gone["id"], "sku": "GONE"}]
    assert (await gql(client, LIST, filter={"archived": "ALL"}))["products"]["totalCount"] == 2

    data = await gql(client, UPDATE, input={"id": gone["id"], "unitPrice": "1.00"})
    refused(data["productUpdate"], "ARCHIVED", ["id"])
    assert (await read(client, gone["id"]))["unitPrice"] == "19.99"

    restored = ok((await gql(client, RESTORE, input={"id": gone["id"]}))["productRestore"])
    assert restored["archivedAt"] is None
    assert restored["version"] == 3
    assert (await gql(client, LIST))["products"]["totalCount"] == 2


async def test_a_product_is_invisible_to_another_workspace(client, other_client):
    product = await create_product(client)
    assert (await gql(other_client, NODE, id=product["id"]))["node"] is None
    assert (await gql(other_client, LIST, filter={"archived": "ALL"}))["products"]["totalCount"] == 0
    data = await gql(other_client, UPDATE, input={"id": product["id"], "unitPrice": "0.01"})
    refused(data["productUpdate"], "NOT_FOUND", ["id"])
    data = await gql(other_client, ARCHIVE, input={"id": product["id"]})
    refused(data["productArchive"], "NOT_FOUND", ["id"])
    assert await read(client, product["id"]) == product



async def test_concurrent_creates_with_one_sku_leave_exactly_one_product(client):
    results = await asyncio.gather(*(
        gql(client, CREATE, input={"name": f"W{i}", "sku": "RACE", "unitPrice": "1"}) for i in range(4)
    ))
    payloads = [result["productCreate"] for result in results]
    created = [payload["product"] for payload in payloads if payload["product"] is not None]
    assert len(created) == 1
    assert sorted(error["code"] for payload in payloads for error in payload["userErrors"]) == ["DUPLICATE"] * 3
    assert (await gql(client, LIST))["products"]["nodes"] == [{"id": created[0]["id"], "sku": "RACE"}]
