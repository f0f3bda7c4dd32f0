"""The OpenAPI description (GET /api/openapi.json) held to the app: every route and
method described and nothing else, the same path parameters, a valid OpenAPI 3.1
document, and examples the API takes. tests/fuzz holds it to the answers."""

import re

import pytest
from openapi_spec_validator import validate

from app import app
from chalicelib.api import open311, openapi
from chalicelib.api.http_api import match
from chalicelib.services import staff_tickets
from tests.api import open311 as open311_api
from tests.api.open311 import FORM

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
PARAMETER = re.compile(r"\{(\w+)\}")
# Route parameters the description spells out as one path per value: a staff command
# takes other fields than the next, so each has its own path and body; an Open311
# resource's "<id>.<format>" is one path per format, its id a parameter of the path's own.
SPELLED_OUT = {
    ("/api/admin/tickets/{ticket_id}/{name}", "name"): set(staff_tickets.PARSERS),
    **{(f"{open311.PREFIX}/{resource}/{{{route_parameter}}}", route_parameter):
       {f"{{{parameter}}}.{fmt}" for fmt in open311.FORMATS}
       for resource, route_parameter, parameter in (("services", "code_fmt", "service_code"),
                                                    ("requests", "id_fmt", "service_request_id"),
                                                    ("tokens", "token_fmt", "token"))},
}


@pytest.fixture
def document(deps):
    return openapi.document(deps)


def described(document) -> dict:
    """{(path, METHOD): operation} of the description."""
    return {(path, method.upper()): operation for path, item in document["paths"].items()
            for method, operation in item.items() if method in METHODS}


def route_of(path: str) -> tuple:
    """(the app's route the described path is an address of, its parameters' values), or (None, {})."""
    # A "{name}" segment is as good a value as any: it shows which parameter took it.
    return match(app.routes, path) or (None, {})


def test_the_description_is_a_valid_openapi_3_1_document(document):
    assert document["openapi"].startswith("3.1.")
    validate(document)


def test_every_route_and_method_of_the_app_is_described(document):
    covered = {(route_of(path)[0], method) for path, method in described(document)}
    routes = {(route, method) for route, methods in app.routes.items() for method in methods}
    assert sorted(routes - covered) == []


def test_nothing_is_described_that_the_app_has_not(document):
    unknown = [(path, method) for path, method in described(document)
               if method not in app.routes.get(route_of(path)[0], {})]
    assert unknown == []


def test_each_operation_declares_exactly_its_paths_parameters_and_they_are_the_routes(document):
    for (path, method), operation in described(document).items():
        declared = sorted(p["name"] for p in operation.get("parameters", []) if p.get("in") == "path")
        assert declared == sorted(PARAMETER.findall(path)), (path, method)
        route, values = route_of(path)
        # A parameter of the route the path spells out has a literal segment there, not a
        # name; the segment may hold a parameter of the path's own ("{token}.json").
        spelled = {name for name, value in values.items() if value != f"{{{name}}}"}
        within = {inner for name in spelled for inner in PARAMETER.findall(values[name])}
        assert (set(declared) - within) | spelled == set(PARAMETER.findall(route)), (path, method)
        assert all((route, name) in SPELLED_OUT for name in spelled), (path, method)


def test_a_spelled_out_parameter_is_described_for_every_value_the_app_takes(document):
    for (route, name), values in SPELLED_OUT.items():
        seen = {route_of(path)[1][name] for path, method in described(document) if route_of(path)[0] == route}
        assert seen == values


def test_operation_ids_are_unique_and_every_link_names_one(document):
    operations = described(document).values()
    ids = [operation["operationId"] for operation in operations]
    assert len(ids) == len(set(ids))
    targets = {link["operationId"] for operation in operations for response in operation["responses"].values()
               for link in response.get("links", {}).values()}
    assert targets and targets <= set(ids)


def test_it_is_served_to_anyone_as_json(api, document):
    answer = api.get("/api/openapi.json")
    assert answer.status_code == 200 and answer.headers["Content-Type"] == "application/json"
    assert api.json(answer) == document


def example(schema: dict):
    """A value of `schema` built from its examples: every field that has one."""
    if "examples" in schema:
        return schema["examples"][0]
    return {name: example(field) for name, field in schema.get("properties", {}).items()
            if "examples" in field or "properties" in field}


def body_schema(document, path: str, method: str) -> dict:
    schema = document["paths"][path][method]["requestBody"]["content"]["application/json"]["schema"]
    if "$ref" in schema:
        return document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def test_its_examples_file_a_ticket_and_publish_an_outage(api, document):
    filed = api.post("/api/tickets", example(body_schema(document, "/api/tickets", "post")), headers=api.sign_in())
    operator = api.staff("operator")
    for_caller = api.post("/api/admin/tickets", {**example(body_schema(document, "/api/admin/tickets", "post")),
                                                 "channel": "phone"}, headers=operator)
    outage = api.post("/api/admin/outages", example(body_schema(document, "/api/admin/outages", "post")),
                      headers=operator)
    assert [filed.status_code, for_caller.status_code, outage.status_code] == [201, 201, 201], \
        [filed.body, for_caller.body, outage.body]


def test_its_example_registry_is_one_the_admin_may_import(api, document, deps):
    admin = api.staff("admin")
    imported = api.request("PUT", "/api/admin/registry/buildings",
                           example(body_schema(document, "/api/admin/registry/buildings", "put")), headers=admin)
    assert imported.status_code == 200 and api.json(imported) == {"imported": 1}


@pytest.mark.parametrize("place", ["address_id", "address_string"])
def test_its_open311_examples_file_a_request_by_either_way_of_naming_the_place(api, document, place):
    path = f"{open311.PREFIX}/requests.json"
    form = document["paths"][path]["post"]["requestBody"]["content"][FORM]["schema"]
    fields = {name: value for name, value in example(form).items()
              if name not in ({"address_id", "address_string"} - {place})}

    filed = open311_api.post(api, {"api_key": open311_api.partner_key(api.deps), **fields})

    assert filed.status_code == 201, filed.body
    number = open311_api.read(filed)[0]["service_request_id"]
    record = open311_api.read(open311_api.get(api, f"requests/{number}.json"))[0]
    assert (record["service_code"], record["address_id"]) == (fields["service_code"],
                                                              example(form)["address_id"])
