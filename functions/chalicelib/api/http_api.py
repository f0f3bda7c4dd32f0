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

from urllib.parse import unquote

from chalice import Chalice
from chalice.app import Request

from . import errors
from .http import json_no_store


class App(Chalice):
    def __call__(self, event, context):
        request_context = event.get("requestContext") or {}
        if request_context.get("resourcePath") in self.routes or "path" not in event:
            return super().__call__(event, context)
        matched = match(self.routes, event["path"])
        if matched is None:
            request = Request({**event, "requestContext": {**request_context, "resourcePath": event["path"]}})
            return json_no_store(request, errors.unknown_path).to_dict(self.api.binary_types)
        route, parameters = matched
        return super().__call__({**event, "resource": route, "pathParameters": parameters or None,
                                 "requestContext": {**request_context, "resourcePath": route}}, context)


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
