"""GraphQL over HTTP, as the GraphQL-over-HTTP specification describes it.

Strawberry's own view answers every request error with 200 and `application/json`; partners
and typed clients rely on the specification's media type and status codes, so the HTTP
side is ours, and Strawberry executes.

- `application/graphql-response+json` when the client accepts it (the default for clients
  that say nothing), `application/json` for older clients.
- Under `application/graphql-response+json`: 400 for unparseable JSON or a malformed
  request or document, 422 when the document does not validate or variables do not
  coerce, 200 with data and no errors, 294 with data and errors.
- Under `application/json`: 200 for every well-formed request, 400 for malformed ones.
- GET runs queries only: a mutation over GET is 405 with `Allow: POST`.
"""

from __future__ import annotations

import json
import logging
from functools import lru_cache
from typing import Any, cast

import orjson
from graphql import GraphQLError, GraphQLSyntaxError, OperationDefinitionNode, parse
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from strawberry.exceptions import MissingQueryError
from strawberry.http.ides import get_graphql_ide_html
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.types import ExecutionResult
from strawberry.types.graphql import OperationType

from resolvers.principal import Principal
from schema.context import Context, Loaders
from schema.root import schema

logger = logging.getLogger("crm.http")

GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON = "application/json"
PARTIAL_SUCCESS = 294


class FastJSONResponse(JSONResponse):
    """Results rendered by orjson: several times faster than the standard library on the
    large nested pages that lists return. Inputs that orjson would refuse (unpaired
    surrogates) never get this far: `_parse_json` turns them away."""

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content)


class RequestError(Exception):
    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


def negotiate(accept: str | None) -> str | None:
    """The response media type for an Accept header, or None when we can serve none it accepts."""
    if not accept or not accept.strip():
        return GRAPHQL_RESPONSE
    ranked: list[tuple[float, int, str]] = []
    for position, item in enumerate(accept.split(",")):
        media, *params = (part.strip() for part in item.split(";"))
        quality = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        media = media.lower()
        if quality <= 0:
            continue
        if media in (GRAPHQL_RESPONSE, JSON):
            ranked.append((quality, -position, media))
        elif media in ("*/*", "application/*"):
            ranked.append((quality, -position, GRAPHQL_RESPONSE))
    return max(ranked)[2] if ranked else None


def error_response(
    media: str,
    status: int,
    message: str,
    code: str | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    error: dict[str, Any] = {"message": message}
    if code:
        error["extensions"] = {"code": code}
    return JSONResponse({"errors": [error]}, status_code=status, media_type=media, headers=headers)


async def _read_params(request: Request, max_body_bytes: int) -> dict[str, Any]:
    if request.method == "GET":
        params: dict[str, Any] = dict(request.query_params)
        _parse_json(json.dumps(params), "query string")
        if "variables" in params:
            params["variables"] = _parse_json(params["variables"], "variables")
        if "extensions" in params:
            params["extensions"] = _parse_json(params["extensions"], "extensions")
        return params
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != JSON:
        raise RequestError(415, "Send the request as application/json.")
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > max_body_bytes:
        raise RequestError(413, f"The request body is larger than {max_body_bytes} bytes.")
    body = await request.body()
    if len(body) > max_body_bytes:
        raise RequestError(413, f"The request body is larger than {max_body_bytes} bytes.")
    params = _parse_json(body, "body")
    if not isinstance(params, dict):
        raise RequestError(
            400, "The request body must be a JSON object (batching is not supported)."
        )
    return params


def _parse_json(raw: str | bytes, what: str) -> Any:
    try:
        parsed = json.loads(raw)
        # Unpaired surrogates ("\ud800") parse, but are no Unicode text: refuse them here
        # rather than fail later when a value or an error message is encoded.
        json.dumps(parsed, ensure_ascii=False).encode()
    except (ValueError, UnicodeError, RecursionError) as error:
        raise RequestError(400, f"The {what} is not valid JSON text.") from error
    return parsed


def _check_params(
    params: dict[str, Any],
) -> tuple[str, dict[str, Any] | None, str | None, dict[str, Any] | None]:
    query = params.get("query")
    variables = params.get("variables")
    operation_name = params.get("operationName")
    extensions = params.get("extensions")
    if not isinstance(query, str):
        raise RequestError(400, "The request needs a `query` string.")
    if variables is not None and not isinstance(variables, dict):
        raise RequestError(400, "`variables` must be an object or null.")
    if operation_name is not None and not isinstance(operation_name, str):
        raise RequestError(400, "`operationName` must be a string or null.")
    if extensions is not None and not isinstance(extensions, dict):
        raise RequestError(400, "`extensions` must be an object or null.")
    # The specification: an empty operationName is the same as none.
    return query, variables, operation_name or None, extensions


@lru_cache(maxsize=512)
def _operation_count(query: str) -> int:
    try:
        document = parse(query)
    except GraphQLError:
        return 0  # Strawberry reports the syntax error itself
    return sum(isinstance(node, OperationDefinitionNode) for node in document.definitions)


def _check_operation_is_determined(query: str, operation_name: str | None, media: str) -> None:
    if not query.strip():
        status = 400 if media == GRAPHQL_RESPONSE else 200
        raise RequestError(status, "Syntax Error: the document is empty.")
    # Strawberry would run the first operation; GraphQL says the request cannot be executed.
    if operation_name is None and _operation_count(query) > 1:
        status = 422 if media == GRAPHQL_RESPONSE else 200
        raise RequestError(
            status, "The document has several operations: name the one to run in operationName."
        )


def _status(media: str, data: Any, errors: list[GraphQLError] | None) -> int:
    if not errors:
        return 200
    if media == JSON:
        return 200
    if data is not None:
        return PARTIAL_SUCCESS
    if any(isinstance(error, GraphQLSyntaxError) for error in errors):
        return 400
    # No path: the document did not validate or the variables did not coerce.
    if all(error.path is None for error in errors):
        return 422
    return PARTIAL_SUCCESS


def _before_execution(request: Request) -> Response | str:
    """A response for what is settled before authentication, else the media type to answer in."""
    if request.method not in ("GET", "POST"):
        return error_response(JSON, 405, "Use GET or POST.", headers={"Allow": "GET, POST"})
    accept = request.headers.get("accept", "")
    wants_ide = "text/html" in accept and "query" not in request.query_params
    if request.method == "GET" and wants_ide and request.app.state.settings.graphiql:
        return HTMLResponse(get_graphql_ide_html("graphiql"))
    media = negotiate(accept)
    if media is None:
        return error_response(JSON, 406, f"Accept {GRAPHQL_RESPONSE} or {JSON}.")
    return media


async def _execute(request: Request, principal: Principal, media: str) -> ExecutionResult:
    state = request.app.state
    params = await _read_params(request, state.settings.max_body_bytes)
    query, variables, operation_name, extensions = _check_params(params)
    _check_operation_is_determined(query, operation_name, media)
    context = Context(
        principal=principal,
        sessions=state.sessions,
        reads=state.reads,
        request_id=request.state.request_id,
        loaders=Loaders(sessions=state.reads, principal=principal),
        bus=state.bus,
    )
    allowed = {OperationType.QUERY}
    if request.method == "POST":
        allowed.add(OperationType.MUTATION)
    try:
        result = await schema.execute(
            query,
            variable_values=variables,
            context_value=context,
            operation_name=operation_name,
            allowed_operation_types=allowed,
            operation_extensions=extensions,
        )
    except InvalidOperationTypeError as error:
        if request.method == "GET":
            raise RequestError(405, "Mutations need POST.", {"Allow": "POST"}) from error
        raise RequestError(400, error.as_http_error_reason(request.method)) from error
    except CannotGetOperationTypeError as error:
        status = 422 if media == GRAPHQL_RESPONSE else 200
        raise RequestError(status, error.as_http_error_reason()) from error
    except MissingQueryError as error:
        raise RequestError(400, "The request needs a `query` string.") from error
    return cast("ExecutionResult", result)


def _result_response(media: str, result: ExecutionResult) -> Response:
    body: dict[str, Any] = {}
    if result.errors:
        body["errors"] = [error.formatted for error in result.errors]
    # Request errors (no path: parse, validation, variables) carry no `data` entry at all.
    if result.data is not None or not result.errors or any(e.path for e in result.errors):
        body["data"] = result.data
    if result.extensions:
        body["extensions"] = result.extensions
    status = _status(media, result.data, result.errors)
    return FastJSONResponse(body, status_code=status, media_type=media)


async def graphql_endpoint(request: Request) -> Response:
    media = _before_execution(request)
    if isinstance(media, Response):
        return media
    state = request.app.state
    principal = await state.authenticate(request.headers.get("authorization"))
    if principal is None:
        return error_response(
            media,
            401,
            "A valid API key is required: send `Authorization: Bearer <key>`.",
            code="UNAUTHENTICATED",
            headers={"WWW-Authenticate": "Bearer"},
        )
    try:
        result = await _execute(request, principal, media)
    except RequestError as error:
        return error_response(media, error.status, error.message, headers=error.headers)
    return _result_response(media, result)
