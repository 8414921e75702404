"""``POST /graphql``: Clarus's read API, behind the same bearer token and tenant header as REST.

A request Clarus would refuse for its credentials gets REST's 401 ``{"error": ...}``
(CONTRACT.md §3.2). Anything wrong with the query itself (syntax, unknown fields, bad
variables, a bad cursor) comes back as GraphQL does it: 200 with ``errors``. Only a body that is
no GraphQL request at all (not JSON, no ``query``) gets a 400, in that same ``errors`` shape.
"""

import json
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError

from sandbox.graphql.schema import Context, schema
from sandbox.models import SandboxSubdomain
from sandbox.views import api_caller


@dataclass(frozen=True)
class GraphQLRequest:
    query: str
    variables: dict[str, Any] | None
    operation_name: str | None


@csrf_exempt
@require_POST
def graphql(request: HttpRequest) -> HttpResponse:
    """Answer one GraphQL query for the tenant the token and subdomain header name."""
    subdomain = api_caller(request)
    if isinstance(subdomain, HttpResponse):
        return subdomain
    body = graphql_request(request)
    if isinstance(body, str):
        return JsonResponse({"errors": [{"message": body}]}, status=400)
    return JsonResponse(graphql_execute(body, subdomain=subdomain))


def graphql_request(request: HttpRequest) -> GraphQLRequest | str:
    """Return the request's query, variables and operation name, or what is wrong with them."""
    if request.content_type != "application/json":
        return "Send the GraphQL request as JSON, with Content-Type: application/json."
    try:
        body = json.loads(request.body)
    except (UnicodeDecodeError, json.JSONDecodeError):
        return "The body is not valid JSON."
    if not isinstance(body, dict):
        return 'The body must be a JSON object: {"query": ..., "variables": {...}}.'
    query, variables = body.get("query"), body.get("variables")
    operation_name = body.get("operationName")
    if not isinstance(query, str) or not query.strip():
        return "query must be a GraphQL document, as a string."
    if variables is not None and not isinstance(variables, dict):
        return "variables must be a JSON object."
    if operation_name is not None and not isinstance(operation_name, str):
        return "operationName must be a string."
    return GraphQLRequest(query, variables, operation_name)


def graphql_execute(request: GraphQLRequest, *, subdomain: SandboxSubdomain) -> dict[str, Any]:
    """Run a query for ``subdomain`` and return the GraphQL response as JSON-ready data."""
    try:
        result = schema.execute_sync(
            request.query,
            variable_values=request.variables,
            operation_name=request.operation_name,
            context_value=Context(subdomain=subdomain),
        )
    except (CannotGetOperationTypeError, InvalidOperationTypeError) as error:
        return {"errors": [{"message": str(error)}]}
    response: dict[str, Any] = {}
    errors = result.errors or []
    # GraphQL: "data" is left out when the request failed before execution began.
    if result.data is not None or any(error.path for error in errors):
        response["data"] = result.data
    if errors:
        response["errors"] = [error.formatted for error in errors]
    return response
