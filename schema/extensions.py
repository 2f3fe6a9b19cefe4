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


class MaskUnexpectedErrors(MaskErrors):
    """Unexpected exceptions reach the client as "Internal server error" with a request id;
    the full traceback goes to the log under the same id. Expected errors pass unchanged."""

    def __init__(self) -> None:
        super().__init__(
            should_mask_error=lambda error: not _is_expected(error),
            error_message="Internal server error.",
        )

    def _request_id(self) -> str:
        context: Any = self.execution_context.context
        return getattr(context, "request_id", "-")

    def anonymise_error(self, error: GraphQLError) -> GraphQLError:
        request_id = self._request_id()
        logger.error(
            "Unexpected error in %s (request %s)",
            ".".join(map(str, error.path or [])),
            request_id,
            exc_info=error.original_error,
        )
        masked = super().anonymise_error(error)
        masked.extensions = {"code": "INTERNAL_SERVER_ERROR", "requestId": request_id}
        return masked

    def _process_errors(self, errors: list[GraphQLError]) -> list[GraphQLError]:
        processed = super()._process_errors(errors)
        for error in processed:
            if isinstance(error.original_error, TopLevelError):
                error.extensions = {**(error.extensions or {}), "code": error.original_error.code}
        return processed


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
