"""GraphQL over HTTP: media types, status codes, GET rules, limits, health and masking."""

from __future__ import annotations

import json

import pytest

from api.graphql_http import negotiate

GRAPHQL_RESPONSE = "application/graphql-response+json"
QUERY = "{ accounts { totalCount } }"


async def test_default_media_type_is_graphql_response_json(client):
    response = await client.post("/graphql", json={"query": QUERY})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith(GRAPHQL_RESPONSE)
    assert response.json() == {"data": {"accounts": {"totalCount": 0}}}


async def test_legacy_clients_get_application_json(client):
    response = await client.post(
        "/graphql", json={"query": QUERY}, headers={"Accept": "application/json"}
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")


async def test_unacceptable_accept_header_is_406(client):
    response = await client.post("/graphql", json={"query": QUERY}, headers={"Accept": "text/xml"})
    assert response.status_code == 406


@pytest.mark.parametrize(
    ("accept", "chosen"),
    [
        ("application/graphql-response+json, application/json;q=0.9", GRAPHQL_RESPONSE),
        ("application/json", "application/json"),
        ("*/*", GRAPHQL_RESPONSE),
        ("application/json;q=1, application/graphql-response+json;q=0.5", "application/json"),
        ("text/html", None),
        ("application/json;q=0", None),
    ],
)
def test_negotiation(accept, chosen):
    assert negotiate(accept) == chosen


async def test_get_runs_queries(client):
    response = await client.get("/graphql", params={"query": QUERY})
    assert response.status_code == 200
    assert response.json()["data"] == {"accounts": {"totalCount": 0}}


async def test_get_with_variables(client):
    response = await client.get(
        "/graphql",
        params={
            "query": "query($first: Int) { accounts(first: $first) { totalCount } }",
            "variables": json.dumps({"first": 5}),
        },
    )
    assert response.status_code == 200


async def test_mutation_over_get_is_405_and_changes_nothing(client):
    response = await client.get(
        "/graphql",
        params={"query": 'mutation { accountCreate(input: {name: "X"}) { account { id } } }'},
    )
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"
    after = await client.post("/graphql", json={"query": QUERY})
    assert after.json()["data"]["accounts"]["totalCount"] == 0


async def test_unparseable_json_is_400(client):
    response = await client.post(
        "/graphql", content=b"{nope", headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["message"]


async def test_wrong_content_type_is_415(client):
    response = await client.post("/graphql", content=QUERY, headers={"Content-Type": "text/plain"})
    assert response.status_code == 415


@pytest.mark.parametrize(
    "body",
    [
        {"query": 42},
        {"query": QUERY, "variables": [1]},
        {"query": QUERY, "operationName": 3},
        {},
        [{"query": QUERY}],
    ],
)
async def test_malformed_request_is_400(client, body):
    response = await client.post("/graphql", json=body)
    assert response.status_code == 400
    assert "data" not in response.json()


async def test_syntax_error_is_400_without_data(client):
    response = await client.post("/graphql", json={"query": "{ accounts { "})
    assert response.status_code == 400
    body = response.json()
    assert "data" not in body
    assert "Syntax Error" in body["errors"][0]["message"]


async def test_validation_error_is_422_under_graphql_response_json(client):
    response = await client.post("/graphql", json={"query": "{ accounts { noSuchField } }"})
    assert response.status_code == 422
    assert "data" not in response.json()


async def test_variable_coercion_error_is_422(client):
    response = await client.post(
        "/graphql",
        json={
            "query": "query($first: Int) { accounts(first: $first) { totalCount } }",
            "variables": {"first": "many"},
        },
    )
    assert response.status_code == 422


async def test_validation_error_is_200_under_application_json(client):
    response = await client.post(
        "/graphql",
        json={"query": "{ accounts { noSuchField } }"},
        headers={"Accept": "application/json"},
    )
    assert response.status_code == 200
    assert response.json()["errors"]


async def test_field_error_with_partial_data_is_294(client):
    response = await client.post(
        "/graphql", json={"query": "{ accounts(first: 1000) { totalCount } users { totalCount } }"}
    )
    assert response.status_code == 294
    body = response.json()
    assert body["data"] is None or "users" in (body["data"] or {})
    error = body["errors"][0]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "between 0 and 100" in error["message"]


async def test_oversized_body_is_413(client, app):
    limit = app.state.settings.max_body_bytes
    response = await client.post("/graphql", json={"query": QUERY + " " * (limit + 1)})
    assert response.status_code == 413


async def test_too_deep_query_is_refused(client):
    deep = "{ accounts { nodes { " + "parent { " * 14 + "id" + " }" * 14 + " } } }"
    response = await client.post("/graphql", json={"query": deep})
    assert response.status_code == 422
    assert "exceeds maximum operation depth" in response.json()["errors"][0]["message"]


async def test_graphiql_is_served_to_browsers(anonymous_client):
    response = await anonymous_client.get("/graphql", headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert "graphiql" in response.text.lower()


async def test_unexpected_errors_are_masked_with_a_request_id(client, monkeypatch, caplog):
    from resolvers import records

    async def explode(*_args, **_kwargs):
        raise RuntimeError("secret database detail")

    monkeypatch.setattr(records, "list_", explode)
    response = await client.post(
        "/graphql", json={"query": QUERY}, headers={"X-Request-ID": "req-123"}
    )
    body = response.json()
    assert response.headers["x-request-id"] == "req-123"
    error = body["errors"][0]
    assert error["message"] == "Internal server error."
    assert error["extensions"] == {"code": "INTERNAL_SERVER_ERROR", "requestId": "req-123"}
    assert "secret" not in response.text
    assert "Traceback" not in response.text
    assert any("req-123" in record.getMessage() and record.exc_info for record in caplog.records)


async def test_a_failure_outside_graphql_is_a_masked_500_with_the_request_id(
    client, monkeypatch, caplog
):
    from api import graphql_http

    async def explode(*_args, **_kwargs):
        raise RuntimeError("secret parser detail")

    monkeypatch.setattr(graphql_http, "_read_params", explode)
    response = await client.post(
        "/graphql", json={"query": QUERY}, headers={"X-Request-ID": "req-500"}
    )
    assert response.status_code == 500
    assert response.headers["x-request-id"] == "req-500"
    assert response.json()["errors"] == [
        {
            "message": "Internal server error.",
            "extensions": {"code": "INTERNAL_SERVER_ERROR", "requestId": "req-500"},
        }
    ]
    assert "secret" not in response.text
    assert any("req-500" in record.getMessage() and record.exc_info for record in caplog.records)


async def test_healthz_and_readyz(anonymous_client):
    assert (await anonymous_client.get("/healthz")).json() == {"status": "ok"}
    ready = await anonymous_client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["database"] == "reachable"


async def test_readyz_reports_an_unreachable_database(tmp_path):
    import httpx

    from api.app import create_app
    from api.settings import Settings

    app = create_app(Settings(database_url=f"sqlite+aiosqlite:///{tmp_path}/missing/dir/crm.db"))
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://t"
    ) as client:
        response = await client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["database"] == "unreachable"


async def test_several_operations_without_a_name_are_not_run(client):
    document = 'mutation A { accountCreate(input: {name: "A"}) { account { id } } } mutation B { accountCreate(input: {name: "B"}) { account { id } } }'
    response = await client.post("/graphql", json={"query": document})
    assert response.status_code == 422
    assert "operationName" in response.json()["errors"][0]["message"]
    named = await client.post("/graphql", json={"query": document, "operationName": "B"})
    assert named.json()["data"]["accountCreate"]["account"]["id"]
    listed = await client.post("/graphql", json={"query": "{ accounts { totalCount } }"})
    assert listed.json()["data"]["accounts"]["totalCount"] == 1


async def test_an_empty_operation_name_means_none(client):
    response = await client.get("/graphql", params={"query": QUERY, "operationName": ""})
    assert response.status_code == 200


async def test_an_empty_query_is_a_syntax_error(client):
    response = await client.post("/graphql", json={"query": ""})
    assert response.status_code == 400
    legacy = await client.post(
        "/graphql", json={"query": ""}, headers={"Accept": "application/json"}
    )
    assert legacy.status_code == 200
    assert legacy.json()["errors"]
