"""Opportunities over GraphQL: fields, money, line items, versions, archive, isolation."""

from __future__ import annotations

from tests.helpers import gql, ok, refused

OPPORTUNITY_FIELDS = """
    id name amount currency expectedCloseDate stage probability forecastCategory
    closedAt lostReason version createdAt updatedAt archivedAt
    owner { id name } account { id name } primaryContact { id name } campaign { id name }
    lineItems { totalCount nodes { quantity unitPrice discount total product { id name } } }
"""
USER_ERRORS = "userErrors { field message code }"

CREATE = f"""
mutation Create($input: OpportunityCreateInput!) {{
  opportunityCreate(input: $input) {{ opportunity {{ {OPPORTUNITY_FIELDS} }} {USER_ERRORS} }}
}}
"""
UPDATE = f"""
mutation Update($input: OpportunityUpdateInput!) {{
  opportunityUpdate(input: $input) {{ opportunity {{ {OPPORTUNITY_FIELDS} }} {USER_ERRORS} }}
}}
"""
ARCHIVE = f"""
mutation Archive($input: OpportunityArchiveInput!) {{
  opportunityArchive(input: $input) {{ opportunity {{ id archivedAt version }} {USER_ERRORS} }}
}}
"""
RESTORE = f"""
mutation Restore($input: OpportunityRestoreInput!) {{
  opportunityRestore(input: $input) {{ opportunity {{ id archivedAt version }} {USER_ERRORS} }}
}}
"""
LIST = """
query List($filter: OpportunityFilter) {
  opportunities(filter: $filter) { totalCount nodes { id name } }
}
"""
NODE = f"""
query Node($id: ID!) {{ node(id: $id) {{ id ... on Opportunity {{ {OPPORTUNITY_FIELDS} }} }} }}
"""
LINE_ITEMS = """
query LineItems($id: ID!, $filter: OpportunityLineItemFilter) {
  node(id: $id) {
    ... on Opportunity {
      lineItems(filter: $filter) {
        totalCount
        nodes { id quantity unitPrice discount total archivedAt product { id name } opportunity { id } }
      }
    }
  }
}
"""
CREATE_USER = f"""
mutation($input: UserCreateInput!) {{ userCreate(input: $input) {{ user {{ id name }} {USER_ERRORS} }} }}
"""
CREATE_ACCOUNT = f"""
mutation($input: AccountCreateInput!) {{
  accountCreate(input: $input) {{ account {{ id name }} {USER_ERRORS} }}
}}
"""
CREATE_CONTACT = f"""
mutation($input: ContactCreateInput!) {{
  contactCreate(input: $input) {{ contact {{ id name }} {USER_ERRORS} }}
}}
"""
CREATE_CAMPAIGN = f"""
mutation($input: CampaignCreateInput!) {{
  campaignCreate(input: $input) {{ campaign {{ id name }} {USER_ERRORS} }}
}}
"""
CREATE_PRODUCT = f"""
mutation($input: ProductCreateInput!) {{
  productCreate(input: $input) {{ product {{ id name unitPrice currency }} {USER_ERRORS} }}
}}
"""
ACCOUNT_OPPORTUNITIES = """
query($id: ID!) {
  node(id: $id) { ... on Account { opportunities { totalCount nodes { id name } } } }
}
"""
CONTACT_OPPORTUNITIES = """
query($id: ID!) {
  node(id: $id) { ... on Contact { opportunities { totalCount nodes { id name } } } }
}
"""




async def create_opportunity(client, **fields):
    data = await gql(client, CREATE, input={"name": "Big deal", **fields})
    return ok(data["opportunityCreate"])


async def create_account(client, name="Acme"):
    return ok((await gql(client, CREATE_ACCOUNT, input={"name": name}))["accountCreate"])


async def create_contact(client, last_name="Doe", account_id=None):
    data = await gql(client, CREATE_CONTACT, input={"lastName": last_name, "accountId": account_id})
    return ok(data["contactCreate"])


async def create_product(client, sku, unit_price, **fields):
    data = await gql(
        client,
        CREATE_PRODUCT,
        input={
            "name": f"Product {sku}",
            "sku": sku,
            "unitPrice": unit_price,
            **fields,
        },
    )
    return ok(data["productCreate"])


async def opportunity_count(client, archived="ALL"):
    return (await gql(client, LIST, filter={"archived": archived}))["opportunities"]["totalCount"]


async def test_create_with_every_field_starts_in_prospecting(client):
    owner = ok(
        (await gql(client, CREATE_USER, input={"name": "Ada", "email": "ada@example.com"}))[
            "userCreate"
        ]
    )
    account = await create_account(client)
    contact = await create_contact(client, "Doe", account["id"])
    campaign = ok(
        (await gql(client, CREATE_CAMPAIGN, input={"name": "Spring", "type": "EMAIL"}))[
            "campaignCreate"
        ]
    )
    opportunity = await create_opportunity(
        client,
        accountId=account["id"],
        primaryContactId=contact["id"],
        campaignId=campaign["id"],
        amount="1234.50",
        currency="eur",
        expectedCloseDate="2026-06-30",
        ownerId=owner["id"],
    )
    assert opportunity["name"] == "Big deal"
    assert opportunity["account"] == account
    assert opportunity["primaryContact"] == contact
    assert opportunity["campaign"] == campaign
    assert opportunity["owner"] == owner
    assert opportunity["amount"] == "1234.50"
    assert opportunity["currency"] == "EUR"
    assert opportunity["expectedCloseDate"] == "2026-06-30"
    assert opportunity["stage"] == "PROSPECTING"
    assert opportunity["probability"] == 10
    assert opportunity["forecastCategory"] == "PIPELINE"
    assert opportunity["closedAt"] is None
    assert opportunity["lostReason"] is None
    assert opportunity["version"] == 1
    assert opportunity["archivedAt"] is None
    assert opportunity["lineItems"] == {"totalCount": 0, "nodes": []}

    read = (await gql(client, NODE, id=opportunity["id"]))["node"]
    assert read == opportunity


async def test_currency_defaults_to_the_workspace_currency_and_amount_is_optional(client):
    opportunity = await create_opportunity(client)
    assert opportunity["currency"] == "USD"
    assert opportunity["amount"] is None


async def test_money_is_a_decimal_string_with_cents_never_a_float(client):
    for given, expected in (("1234.5", "1234.50"), ("1E+3", "1000.00"), ("7", "7.00")):
        created = await create_opportunity(client, amount=given)
        read = (await gql(client, NODE, id=created["id"]))["node"]
        assert read["amount"] == expected
        # The payload of the write and every later read agree on the representation.
        assert created["amount"] == expected


async def test_large_amounts_round_trip_exactly(client):
    created = await create_opportunity(client, amount="1234567890123.45")
    read = (await gql(client, NODE, id=created["id"]))["node"]
    assert read["amount"] == "1234567890123.45"


async def test_invalid_amounts_and_currency_are_refused_and_nothing_is_written(client):
    for amount in ("10.123", "-1", "NaN"):
        data = await gql(client, CREATE, input={"name": "Deal", "amount": amount})
        refused(data["opportunityCreate"], "INVALID", ["amount"])
        assert data["opportunityCreate"]["opportunity"] is None
    data = await gql(client, CREATE, input={"name": "Deal", "currency": "XXQ"})
    refused(data["opportunityCreate"], "INVALID", ["currency"])
    data = await gql(client, CREATE, input={"name": "  "})
    refused(data["opportunityCreate"], "REQUIRED", ["name"])
    assert await opportunity_count(client) == 0


async def test_amount_is_the_sum_of_line_items_rounded_half_up_per_line(client):
    seat = await create_product(client, "SEAT", "100.00")
    addon = await create_product(client, "ADDON", "5.00")
    opportunity = await create_opportunity(
        client,
        lineItems=[
            # 3 × 100.00 × 0.90 = 270.00
            {"productId": seat["id"], "quantity": "3", "discount": "10"},
            # 2.5 × 19.99 × 0.875 = 43.728125 → 43.73
            {"productId": addon["id"], "quantity": "2.5", "unitPrice": "19.99", "discount": "12.5"},
            # 1 × 0.05 × 0.50 = 0.025 → 0.03 (half up, not half even)
            {"productId": addon["id"], "quantity": "1", "unitPrice": "0.05", "discount": "50"},
        ],
    )
    assert opportunity["amount"] == "313.76"
    line_items = opportunity["lineItems"]
    assert line_items["totalCount"] == 3
    totals = [item["total"] for item in line_items["nodes"]]
    assert totals == ["270.00", "43.73", "0.03"]
    assert [item["product"] for item in line_items["nodes"]] == [
        {"id": seat["id"], "name": "Product SEAT"},
        {"id": addon["id"], "name": "Product ADDON"},
        {"id": addon["id"], "name": "Product ADDON"},
    ]
    first = line_items["nodes"][0]
    assert first["unitPrice"] == "100.00"
    assert first["discount"] == "10.00"
    assert first["quantity"] == "3.00"

    read = (await gql(client, NODE, id=opportunity["id"]))["node"]
    assert read["amount"] == "313.76"
    assert [item["total"] for item in read["lineItems"]["nodes"]] == totals


async def test_create_with_line_items_starts_at_version_1(client):
    product = await create_product(client, "SKU-1", "10.00")
    opportunity = await create_opportunity(
        client, lineItems=[{"productId": product["id"], "quantity": "1"}]
    )
    node = (await gql(client, NODE, id=opportunity["id"]))["node"]
    assert (opportunity["version"], node["version"]) == (1, 1)


async def test_line_item_without_discount_has_zero_discount(client):
    product = await create_product(client, "SKU-1", "12.34")
    opportunity = await create_opportunity(
        client, lineItems=[{"productId": product["id"], "quantity": "2"}]
    )
    node = (await gql(client, LINE_ITEMS, id=opportunity["id"]))["node"]
    item = node["lineItems"]["nodes"][0]
    assert item["discount"] == "0.00"
    assert item["total"] == "24.68"
    assert item["opportunity"] == {"id": opportunity["id"]}
    assert opportunity["amount"] == "24.68"


async def test_unit_price_defaults_to_the_product_price_in_the_same_currency(client):
    product = await create_product(client, "SKU-1", "49.90", currency="EUR")
    opportunity = await create_opportunity(
        client, currency="EUR", lineItems=[{"productId": product["id"], "quantity": "2"}]
    )
    item = opportunity["lineItems"]["nodes"][0]
    assert item["unitPrice"] == "49.90"
    assert item["total"] == "99.80"
    assert opportunity["amount"] == "99.80"


async def test_product_in_another_currency_needs_an_explicit_unit_price(client):
    usd = await create_product(client, "USD-1", "10.00")
    eur = await create_product(client, "EUR-1", "10.00", currency="EUR")
    data = await gql(
        client,
        CREATE,
        input={
            "name": "Deal",
            "lineItems": [
                {"productId": usd["id"], "quantity": "1"},
                {"productId": eur["id"], "quantity": "1"},
            ],
        },
    )
    error = refused(data["opportunityCreate"], "REQUIRED", ["lineItems", "1", "unitPrice"])
    assert "EUR" in error["message"]
    assert data["opportunityCreate"]["opportunity"] is None
    assert await opportunity_count(client) == 0

    opportunity = await create_opportunity(
        client,
        lineItems=[
            {"productId": eur["id"], "quantity": "1", "unitPrice": "11.50"},
        ],
    )
    assert opportunity["lineItems"]["nodes"][0]["unitPrice"] == "11.50"
    assert opportunity["amount"] == "11.50"


async def test_inactive_product_is_refused(client):
    product = await create_product(client, "OLD", "10.00", active=False)
    data = await gql(
        client,
        CREATE,
        input={
            "name": "Deal",
            "lineItems": [{"productId": product["id"], "quantity": "1"}],
        },
    )
    refused(data["opportunityCreate"], "INVALID", ["lineItems", "0", "productId"])
    assert await opportunity_count(client) == 0


async def test_line_item_fields_are_validated_with_their_path(client):
    product = await create_product(client, "SKU-1", "10.00")
    account = await create_account(client)
    data = await gql(
        client,
        CREATE,
        input={
            "name": "Deal",
            "lineItems": [
                {"productId": product["id"], "quantity": "1"},
                {"productId": product["id"], "quantity": "0"},
                {"productId": product["id"], "quantity": "1", "discount": "101"},
                {"productId": account["id"], "quantity": "1"},
            ],
        },
    )
    payload = data["opportunityCreate"]
    assert payload["opportunity"] is None
    fields = {tuple(error["field"]): error["code"] for error in payload["userErrors"]}
    assert fields == {
        ("lineItems", "1", "quantity"): "INVALID",
        ("lineItems", "2", "discount"): "INVALID",
        ("lineItems", "3", "productId"): "NOT_FOUND",
    }
    assert await opportunity_count(client) == 0


async def test_amount_together_with_line_items_is_refused(client):
    product = await create_product(client, "SKU-1", "10.00")
    data = await gql(
        client,
        CREATE,
        input={
            "name": "Deal",
            "amount": "500.00",
            "lineItems": [{"productId": product["id"], "quantity": "1"}],
        },
    )
    refused(data["opportunityCreate"], "INVALID", ["amount"])
    assert await opportunity_count(client) == 0


async def test_update_replaces_line_items_and_recomputes_amount(client):
    first = await create_product(client, "FIRST", "10.00")
    second = await create_product(client, "SECOND", "20.00")
    third = await create_product(client, "THIRD", "7.25")
    opportunity = await create_opportunity(
        client,
        lineItems=[
            {"productId": first["id"], "quantity": "1"},
            {"productId": second["id"], "quantity": "1"},
        ],
    )
    assert opportunity["amount"] == "30.00"

    data = await gql(
        client,
        UPDATE,
        input={
            "id": opportunity["id"],
            "expectedVersion": opportunity["version"],
            "lineItems": [{"productId": third["id"], "quantity": "4"}],
        },
    )
    updated = ok(data["opportunityUpdate"])
    assert updated["amount"] == "29.00"
    assert updated["version"] == opportunity["version"] + 1
    assert updated["lineItems"]["totalCount"] == 1
    assert [item["product"]["id"] for item in updated["lineItems"]["nodes"]] == [third["id"]]

    read = (await gql(client, LINE_ITEMS, id=opportunity["id"]))["node"]["lineItems"]
    assert read["totalCount"] == 1
    assert [item["product"]["id"] for item in read["nodes"]] == [third["id"]]
    old = (await gql(client, LINE_ITEMS, id=opportunity["id"], filter={"archived": "ARCHIVED"}))[
        "node"
    ]
    assert sorted(item["product"]["id"] for item in old["lineItems"]["nodes"]) == sorted(
        [first["id"], second["id"]]
    )
    assert all(item["archivedAt"] is not None for item in old["lineItems"]["nodes"])
    node = (await gql(client, NODE, id=opportunity["id"]))["node"]
    assert node["amount"] == "29.00"


async def test_replacing_line_items_bumps_the_version_even_when_the_amount_is_unchanged(client):
    first = await create_product(client, "FIRST", "10.00")
    second = await create_product(client, "SECOND", "10.00")
    opportunity = await create_opportunity(
        client, lineItems=[{"productId": first["id"], "quantity": "1"}]
    )
    data = await gql(
        client,
        UPDATE,
        input={
            "id": opportunity["id"],
            "expectedVersion": opportunity["version"],
            "lineItems": [{"productId": second["id"], "quantity": "1"}],
        },
    )
    updated = ok(data["opportunityUpdate"])
    assert updated["amount"] == "10.00"
    assert [item["product"]["id"] for item in updated["lineItems"]["nodes"]] == [second["id"]]
    assert updated["version"] == opportunity["version"] + 1
    # A writer still holding the old version must now conflict instead of overwriting.
    data = await gql(
        client,
        UPDATE,
        input={
            "id": opportunity["id"],
            "expectedVersion": opportunity["version"],
            "lineItems": [{"productId": first["id"], "quantity": "2"}],
        },
    )
    refused(data["opportunityUpdate"], "VERSION_CONFLICT", ["expectedVersion"])


async def test_updating_amount_while_line_items_exist_is_refused(client):
    product = await create_product(client, "SKU-1", "10.00")
    opportunity = await create_opportunity(
        client, lineItems=[{"productId": product["id"], "quantity": "3"}]
    )
    data = await gql(client, UPDATE, input={"id": opportunity["id"], "amount": "999.00"})
    refused(data["opportunityUpdate"], "INVALID", ["amount"])
    node = (await gql(client, NODE, id=opportunity["id"]))["node"]
    assert node["amount"] == "30.00"
    assert node["version"] == opportunity["version"]


async def test_changing_currency_while_line_items_exist_is_refused(client):
    product = await create_product(client, "SKU-1", "10.00")
    opportunity = await create_opportunity(
        client, lineItems=[{"productId": product["id"], "quantity": "1"}]
    )
    data = await gql(client, UPDATE, input={"id": opportunity["id"], "currency": "EUR"})
    refused(data["opportunityUpdate"], "INVALID", ["currency"])
    node = (await gql(client, NODE, id=opportunity["id"]))["node"]
    assert node["currency"] == "USD"


async def test_amount_can_be_updated_freely_without_line_items(client):
    opportunity = await create_opportunity(client, amount="100.00")
    data = await gql(client, UPDATE, input={"id": opportunity["id"], "amount": "250.75"})
    updated = ok(data["opportunityUpdate"])
    assert updated["amount"] == "250.75"
    data = await gql(client, UPDATE, input={"id": opportunity["id"], "amount": None})
    assert ok(data["opportunityUpdate"])["amount"] is None


async def test_primary_contact_of_another_account_is_refused(client):
    acme = await create_account(client, "Acme")
    globex = await create_account(client, "Globex")
    globex_contact = await create_contact(client, "Smith", globex["id"])
    data = await gql(
        client,
        CREATE,
        input={
            "name": "Deal",
            "accountId": acme["id"],
            "primaryContactId": globex_contact["id"],
        },
    )
    refused(data["opportunityCreate"], "INVALID", ["primaryContactId"])
    assert await opportunity_count(client) == 0


async def test_moving_to_another_account_must_keep_the_primary_contact_consistent(client):
    acme = await create_account(client, "Acme")
    globex = await create_account(client, "Globex")
    contact = await create_contact(client, "Doe", acme["id"])
    opportunity = await create_opportunity(
        client, accountId=acme["id"], primaryContactId=contact["id"]
    )
    data = await gql(client, UPDATE, input={"id": opportunity["id"], "accountId": globex["id"]})
    refused(data["opportunityUpdate"], "INVALID", ["primaryContactId"])
    node = (await gql(client, NODE, id=opportunity["id"]))["node"]
    assert node["account"]["id"] == acme["id"]


async def test_account_and_contact_list_their_opportunities(client):
    acme = await create_account(client, "Acme")
    globex = await create_account(client, "Globex")
    contact = await create_contact(client, "Doe", acme["id"])
    first = await create_opportunity(
        client, name="First", accountId=acme["id"], primaryContactId=contact["id"]
    )
    second = await create_opportunity(client, name="Second", accountId=acme["id"])
    await create_opportunity(client, name="Elsewhere", accountId=globex["id"])

    account_view = (await gql(client, ACCOUNT_OPPORTUNITIES, id=acme["id"]))["node"][
        "opportunities"
    ]
    assert account_view == {
        "totalCount": 2,
        "nodes": [{"id": first["id"], "name": "First"}, {"id": second["id"], "name": "Second"}],
    }
    contact_view = (await gql(client, CONTACT_OPPORTUNITIES, id=contact["id"]))["node"][
        "opportunities"
    ]
    assert contact_view == {"totalCount": 1, "nodes": [{"id": first["id"], "name": "First"}]}


async def test_update_changes_only_given_fields_and_bumps_version(client):
    opportunity = await create_opportunity(client, amount="100.00", expectedCloseDate="2026-01-31")
    data = await gql(
        client,
        UPDATE,
        input={
            "id": opportunity["id"],
            "expectedVersion": 1,
            "name": "Bigger deal",
            "expectedCloseDate": None,
        },
    )
    updated = ok(data["opportunityUpdate"])
    assert updated["name"] == "Bigger deal"
    assert updated["expectedCloseDate"] is None
    assert updated["amount"] == "100.00"
    assert updated["stage"] == "PROSPECTING"
    assert updated["version"] == 2
    assert updated["updatedAt"] >= opportunity["updatedAt"]


async def test_stale_expected_version_is_a_conflict_and_changes_nothing(client):
    opportunity = await create_opportunity(client, amount="100.00")
    ok(
        (await gql(client, UPDATE, input={"id": opportunity["id"], "name": "First"}))[
            "opportunityUpdate"
        ]
    )
    data = await gql(
        client,
        UPDATE,
        input={
            "id": opportunity["id"],
            "expectedVersion": 1,
            "name": "Second",
            "amount": "1.00",
        },
    )
    refused(data["opportunityUpdate"], "VERSION_CONFLICT", ["expectedVersion"])
    assert data["opportunityUpdate"]["opportunity"] is None
    node = (await gql(client, NODE, id=opportunity["id"]))["node"]
    assert node["name"] == "First"
    assert node["amount"] == "100.00"
    assert node["version"] == 2


async def test_stale_version_leaves_line_items_untouched(client):
    first = await create_product(client, "FIRST", "10.00")
    second = await create_product(client, "SECOND", "20.00")
    opportunity = await create_opportunity(
        client, lineItems=[{"productId": first["id"], "quantity": "1"}]
    )
    data = await gql(
        client,
        UPDATE,
        input={
            "id": opportunity["id"],
            "expectedVersion": 5,
            "lineItems": [{"productId": second["id"], "quantity": "1"}],
        },
    )
    refused(data["opportunityUpdate"], "VERSION_CONFLICT", ["expectedVersion"])
    node = (await gql(client, NODE, id=opportunity["id"]))["node"]
    assert node["amount"] == "10.00"
    assert [item["product"]["id"] for item in node["lineItems"]["nodes"]] == [first["id"]]


async def test_archive_hides_from_lists_and_restore_brings_back(client):
    kept = await create_opportunity(client, name="Kept")
    gone = await create_opportunity(client, name="Gone")
    archived = ok(
        (await gql(client, ARCHIVE, input={"id": gone["id"], "expectedVersion": 1}))[
            "opportunityArchive"
        ]
    )
    assert archived["archivedAt"] is not None
    assert archived["version"] == 2

    assert (await gql(client, LIST))["opportunities"]["nodes"] == [
        {"id": kept["id"], "name": "Kept"}
    ]
    only_archived = await gql(client, LIST, filter={"archived": "ARCHIVED"})
    assert only_archived["opportunities"]["nodes"] == [{"id": gone["id"], "name": "Gone"}]
    assert await opportunity_count(client, "ALL") == 2

    data = await gql(client, UPDATE, input={"id": gone["id"], "name": "Changed"})
    refused(data["opportunityUpdate"], "ARCHIVED", ["id"])

    restored = ok((await gql(client, RESTORE, input={"id": gone["id"]}))["opportunityRestore"])
    assert restored["archivedAt"] is None
    assert (await gql(client, LIST))["opportunities"]["totalCount"] == 2


async def test_archive_with_stale_version_changes_nothing(client):
    opportunity = await create_opportunity(client)
    data = await gql(client, ARCHIVE, input={"id": opportunity["id"], "expectedVersion": 7})
    refused(data["opportunityArchive"], "VERSION_CONFLICT")
    assert await opportunity_count(client, "ACTIVE") == 1


async def test_unknown_or_wrong_type_ids_are_not_found(client):
    account = await create_account(client)
    opportunity = await create_opportunity(client)
    for bad_id in ("nonsense", account["id"]):
        data = await gql(client, UPDATE, input={"id": bad_id, "name": "X"})
        refused(data["opportunityUpdate"], "NOT_FOUND", ["id"])
        data = await gql(client, ARCHIVE, input={"id": bad_id})
        refused(data["opportunityArchive"], "NOT_FOUND", ["id"])
    data = await gql(
        client, UPDATE, input={"id": opportunity["id"], "accountId": opportunity["id"]}
    )
    refused(data["opportunityUpdate"], "NOT_FOUND", ["accountId"])
    for field in ("primaryContactId", "campaignId", "ownerId"):
        data = await gql(client, CREATE, input={"name": "Deal", field: account["id"]})
        refused(data["opportunityCreate"], "NOT_FOUND", [field])


async def test_archived_account_cannot_be_referenced(client):
    account = await create_account(client)
    archive = """mutation($id: ID!) { accountArchive(input: {id: $id}) { userErrors { code } } }"""
    assert (await gql(client, archive, id=account["id"]))["accountArchive"]["userErrors"] == []
    data = await gql(client, CREATE, input={"name": "Deal", "accountId": account["id"]})
    refused(data["opportunityCreate"], "NOT_FOUND", ["accountId"])


async def test_workspaces_do_not_see_each_others_opportunities(client, other_client):
    product = await create_product(client, "SKU-1", "10.00")
    account = await create_account(client)
    opportunity = await create_opportunity(
        client,
        accountId=account["id"],
        lineItems=[{"productId": product["id"], "quantity": "1"}],
    )
    await create_opportunity(other_client, name="Theirs")

    theirs = (await gql(other_client, LIST, filter={"archived": "ALL"}))["opportunities"]
    assert [node["name"] for node in theirs["nodes"]] == ["Theirs"]
    assert (await gql(other_client, NODE, id=opportunity["id"]))["node"] is None
    line_item_id = (await gql(client, LINE_ITEMS, id=opportunity["id"]))["node"]["lineItems"][
        "nodes"
    ][0]["id"]
    assert (await gql(other_client, NODE, id=line_item_id))["node"] is None
    mine = (await gql(client, LIST))["opportunities"]
    assert [node["name"] for node in mine["nodes"]] == ["Big deal"]


async def test_another_workspace_cannot_reference_or_change_records(client, other_client):
    product = await create_product(client, "SKU-1", "10.00")
    account = await create_account(client)
    opportunity = await create_opportunity(client, accountId=account["id"])

    data = await gql(other_client, CREATE, input={"name": "Deal", "accountId": account["id"]})
    refused(data["opportunityCreate"], "NOT_FOUND", ["accountId"])
    data = await gql(
        other_client,
        CREATE,
        input={
            "name": "Deal",
            "lineItems": [{"productId": product["id"], "quantity": "1", "unitPrice": "1.00"}],
        },
    )
    refused(data["opportunityCreate"], "NOT_FOUND", ["lineItems", "0", "productId"])
    data = await gql(other_client, UPDATE, input={"id": opportunity["id"], "name": "Hijacked"})
    refused(data["opportunityUpdate"], "NOT_FOUND", ["id"])
    data = await gql(other_client, ARCHIVE, input={"id": opportunity["id"]})
    refused(data["opportunityArchive"], "NOT_FOUND", ["id"])

    node = (await gql(client, NODE, id=opportunity["id"]))["node"]
    assert node["name"] == "Big deal"
    assert node["archivedAt"] is None
    assert (await gql(other_client, LIST, filter={"archived": "ALL"}))["opportunities"][
        "totalCount"
    ] == 0
