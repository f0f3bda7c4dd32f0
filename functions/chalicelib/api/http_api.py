"""The app behind API Gateway's HTTP API.

`chalice package` describes a REST API, where API Gateway matches each route itself and
tells the function which one matched (`requestContext.resourcePath`, `pathParameters`).
citydesk deploys an HTTP API instead (infra/template.json, tools/infra.py): it costs
1.00 USD a million requests where a REST API costs 3.50, the largest line of the monthly
bill. Its one route, `ANY /api/{proxy+}`, sends every API path to the function in payload
format 1.0, the REST API's event shape, but naming that catch-all route. So `App` matches
the path to one of its routes first, as the REST API would have, and Chalice goes on as
always. Chalice's test client and local server name a route of the app already: their
events pass through unchanged.
"""

from urllib.parse import parse_qs, unquote, urlsplit

from chalice import Chalice
from chalice.app import Request

from . import errors

CATCH_ALL = "/api/{proxy+}"


class App(Chalice):
    def __call__(self, event, context):
        request_context = event.get("requestContext") or {}
        if request_context.get("resourcePath") in self.routes or "path" not in event:
            return super().__call__(event, context)
        matched = match(self.routes, event["path"])
        if matched is None:
            request = Request({**event, "requestContext": {**request_context, "resourcePath": event["path"]}})
            return self._as_a_route_would(request, errors.unknown_path).to_dict(self.api.binary_types)
        route, parameters = matched
        return super().__call__({**event, "resource": route, "pathParameters": parameters or None,
                                 "requestContext": {**request_context, "resourcePath": route}}, context)

    def _as_a_route_would(self, request, view):
        """`view`'s answer to `request` through the app's http middleware, as a route's
        answer goes: the origin check, the error shapes (Open311's on its paths), JSON."""
        answer = view
        # Chalice's own list of the registered middleware (it has no public accessor).
        for middleware in reversed(list(self._get_middleware_handlers("http"))):
            answer = (lambda middleware, inner: lambda request: middleware(request, inner))(middleware, answer)
        return answer(request)


def event(method: str, address: str, headers: dict, body: str | None) -> dict:
    """The event the HTTP API's catch-all route sends (payload format 1.0) for a request
    to `address` (a path and its query string): for the local server's paths that are
    no route, so that they are answered as on AWS."""
    path, query = urlsplit(address).path, parse_qs(urlsplit(address).query, keep_blank_values=True)
    headers = {name.lower(): value for name, value in headers.items()}
    return {
        "version": "1.0", "resource": CATCH_ALL, "path": path, "httpMethod": method, "headers": headers,
        "multiValueHeaders": {name: [value] for name, value in headers.items()},
        "queryStringParameters": {name: values[-1] for name, values in query.items()} or None,
        "multiValueQueryStringParameters": query or None,
        "requestContext": {"httpMethod": method, "path": path, "resourcePath": CATCH_ALL, "stage": "$default",
                           "identity": {"sourceIp": "127.0.0.1"}},
        "pathParameters": {"proxy": path.removeprefix("/api/")}, "stageVariables": None,
        "body": body, "isBase64Encoded": False,
    }


def match(routes, path: str) -> tuple | None:
    """(the route `path` is an address of, its path parameters), or None.

    The routes are tried in sorted order, as Chalice's local gateway tries them: a
    literal segment sorts before a `{parameter}`, so /api/tickets/mine wins over
    /api/tickets/{id}."""
    segments = path.split("/")
    for route in sorted(routes):
        parts = route.split("/")
        if len(parts) != len(segments):
            continue
        parameters = {}
        for part, segment in zip(parts, segments):
            if part.startswith("{") and part.endswith("}") and segment:
                parameters[part[1:-1]] = unquote(segment)
            elif part != segment:
                break
        else:
            return route, parameters
    return None
