"""Schema extensions: error masking with request ids, document caches, depth limit."""

import logging
from typing import Any

from graphql import GraphQLError
from strawberry.extensions import (
    AddValidationRules,
    MaskErrors,
    ParserCache,
    QueryDepthLimiter,
    ValidationCache,
)

from resolvers.errors import TopLevelError

logger = logging.getLogger("crm.errors")

MAX_QUERY_DEPTH = 12


def _is_expected(error: GraphQLError) -> bool:
    original = error.original_error
    return original is None or isinstance(original, (TopLevelError, GraphQLError))


def presented_errors(errors: list[GraphQLError], request_id: str) -> list[GraphQLError]:
    """Errors as a client sees them. Unexpected exceptions become "Internal server error"
    with the request id, their traceback logged under the same id; expected errors pass
    unchanged, with their code."""
    presented = []
    for error in errors:
        if not _is_expected(error):
            logger.error(
                "Unexpected error in %s (request %s)",
                ".".join(map(str, error.path or [])),
                request_id,
                exc_info=error.original_error,
            )
            presented.append(
                GraphQLError(
                    "Internal server error.",
                    nodes=error.nodes,
                    source=error.source,
                    positions=error.positions,
                    path=error.path,
                    extensions={"code": "INTERNAL_SERVER_ERROR", "requestId": request_id},
                )
            )
            continue
        if isinstance(error.original_error, TopLevelError):
            error.extensions = {**(error.extensions or {}), "code": error.original_error.code}
        presented.append(error)
    return presented


class MaskUnexpectedErrors(MaskErrors):
    """`presented_errors` on every result, with the request's id."""

    def _process_errors(self, errors: list[GraphQLError]) -> list[GraphQLError]:
        context: Any = self.execution_context.context
        return presented_errors(errors, getattr(context, "request_id", "-"))


# One depth rule for the process: QueryDepthLimiter makes a new rule class per instance,
# and ValidationCache keys its entries by the rules, so a limiter built per request would
# make every document miss the cache. The extensions themselves stay per request.
_DEPTH_RULE = QueryDepthLimiter(max_depth=MAX_QUERY_DEPTH).validation_rules[0]

EXTENSIONS = [
    MaskUnexpectedErrors,
    lambda: ParserCache(maxsize=1024),
    lambda: AddValidationRules([_DEPTH_RULE]),
    lambda: ValidationCache(maxsize=1024),
]
