"""The Open311 GeoReport v2 part of the OpenAPI description (api.openapi): the
resources under /api/open311/v2/ (api.open311), built from the same tables and limits
as the rest.

Each format is a path of its own, as the app routes it: the JSON answers are described
exactly, the XML ones (the same data, in the standard's elements) as `text/xml`. A
resource named in the path is described as `/requests/{service_request_id}.json`, the
route's `{id_fmt}` spelled out per format. Errors are Open311's (a JSON array of
`{code, description}`, XML `<errors>`), with the standard's statuses. Filing needs
a key, which the API takes from the form, the query string or `Authorization:
Bearer`; reading needs none. Open311 answers in `locale` (the city's language
otherwise), never by `lang` or Accept-Language.
"""

from ..domain import open311 as georeport
from ..domain import ticket as lifecycle
from ..services import open311, tickets
from ..services import phone as phones
from ..services.auth import MAX_EMAIL
from . import open311 as views
from .openapi import (
    BOOLEAN, IDEMPOTENCY_KEY, STRING, TIME, _answer, _enum, _link, _or_empty, _or_null, _path, _query, _ref, _text,
)

FORMATS = {"json": "Json", "xml": "Xml"}
NULL = {"type": "null"}
# Every status an Open311 path answers an error with (api.open311.error_answer): 400 for
# a request that cannot be done, 403 the key, 404 what does not exist, 405 a method the
# path does not take, 429 too many filings.
ERRORS = {
    400: "The request cannot be done: the description says why.",
    403: "The API key is missing or not valid.",
    404: "No such service, request, token or resource.",
    405: "The path does not take this method.",
    429: "Too many requests filed with this key: the description says when to try again.",
}
KEY_SCHEMES = ("open311Key", "open311Bearer")
# Any key scheme; the form's api_key field works as well (and wins), which no scheme can say.
KEY = [{name: []} for name in KEY_SCHEMES]


def security_schemes() -> dict:
    return {
        "open311Key": {"type": "apiKey", "in": "query", "name": "api_key", "description": (
            "The key the city gave (an admin makes one: POST /api/admin/open311-keys). It may also go as the "
            "form's api_key field, which wins over the query string and the header.")},
        "open311Bearer": {"type": "http", "scheme": "bearer", "description": (
            "The same key as `Authorization: Bearer <key>`. The site's CloudFront distribution passes no "
            "Authorization header on: behind it, send the key in the form or the query string.")},
    }


def _id(name: str, fmt: str) -> str:
    return f"open311{name}{FORMATS[fmt]}"


def _answer_in(fmt: str, schema: dict, description: str, links: dict | None = None) -> dict:
    """An answer in `fmt`: JSON with its exact schema, XML as the standard's document."""
    if fmt == "json":
        content = {"application/json": {"schema": schema}}
    else:
        content = {"text/xml": {"schema": {**STRING, "description": "The same data as the .json answer, in the "
                                                                      "standard's XML elements."}}}
    response = {"description": description, "content": content}
    return {**response, "links": links} if links else response


def _errors(fmt: str, *statuses: int) -> dict:
    return {str(status): {"$ref": f"#/components/responses/Open311E{status}{FORMATS[fmt]}"}
            for status in (*statuses, 405)}


# The headers an error answer carries besides its body.
ERROR_HEADERS = {
    405: {"Allow": {"required": True, "description": "The methods the path takes.", "schema": STRING}},
    429: {"Retry-After": {"description": "Seconds until the key's hour ends.",
                          "schema": {"type": "integer", "minimum": 1}}},
}


def error_responses() -> dict:
    """components.responses: each error status in each format."""
    responses = {}
    for status, description in ERRORS.items():
        errors = {"type": "array", "minItems": 1, "items": _answer(
            code={"const": status, "description": "The answer's status."},
            description=_text(description="For people, in the language of `locale`."))}
        for fmt, suffix in FORMATS.items():
            response = _answer_in(fmt, errors, description)
            if status in ERROR_HEADERS:
                response["headers"] = ERROR_HEADERS[status]
            responses[f"Open311E{status}{suffix}"] = response
    return responses


def schemas() -> dict:
    """components.schemas of the JSON answers."""
    record = dict(
        service_request_id=_text(description="The ticket's public number."), status=_enum(("open", "closed")),
        status_notes=_text(description="The ticket's status in words."), service_name=STRING,
        service_code=STRING, description=_or_null(_text(description="Only once an operator published it.")),
        agency_responsible=_text(description="The executor."), service_notice=NULL, requested_datetime=TIME,
        updated_datetime=_text(description="A closed request's: when it closed.", **TIME),
        expected_datetime=_or_null(_text(description="The deadline, while the request is open.", **TIME)),
        address=_text(description="The street, the house and the city."),
        address_id=_text(description="The street's code, a colon and the house."),
        # Nothing that could locate or show the reporter: no coordinates, no photos.
        zipcode=NULL, lat=NULL, long=NULL, media_url=NULL)
    extended = dict(
        extended_attributes=_answer(channel=_enum(lifecycle.CHANNELS), duplicate=BOOLEAN,
                                    parent_service_request_id=_or_null(_text(
                                        description="The request it was merged into."))),
        notes={"type": "array", "items": _answer(
            datetime=TIME, summary=STRING, type=_enum((georeport.OPENED, georeport.ACTIVITY, georeport.CLOSED)),
            description=NULL)})
    update_statuses = sorted({*georeport.UPDATE_STATUSES.values(), *georeport.CLOSED_BY.values()})
    return {
        "Open311Discovery": _answer(
            changeset=TIME, contact=STRING, key_service=STRING, endpoints={"type": "array", "items": _answer(
                specification={"const": open311.SPECIFICATION}, url=STRING, changeset=TIME,
                type=_enum(("production", "test")), formats={"type": "array", "items": _enum(open311.FORMATS)})}),
        "Open311Service": _answer(
            service_code=_text(description="A cause's code."), service_name=STRING,
            description=_text(description="The deadline, and what to do meanwhile for an emergency."),
            metadata={"const": True, "description": "Every service has a definition."},
            type={"const": "realtime", "description": "Filing answers with the request's number at once."},
            keywords=STRING, group=_text(description="The cause's topic.")),
        "Open311ServiceDefinition": _answer(service_code=STRING, attributes={"type": "array", "items": _answer(
            variable=BOOLEAN, code=_enum(name for name, _, _ in open311.ADDRESS_DETAILS),
            datatype=_enum(sorted({datatype for _, datatype, _ in open311.ADDRESS_DETAILS})), required=BOOLEAN,
            datatype_description=STRING, order={"type": "integer", "minimum": 1}, description=STRING,
            values={"type": "array", "items": _answer(key=STRING, name=STRING)})}),
        "Open311Filed": {"type": "array", "minItems": 1, "maxItems": 1, "items": _answer(
            service_request_id=_text(description="The ticket's public number, the one in the resident's SMS."),
            service_notice=_text(description="The deadline."), account_id=NULL)},
        "Open311Request": {**_answer(**record, **extended), "required": sorted(record),
                           "description": "extended_attributes and notes with extensions=true."},
        "Open311Update": _answer(
            update_id=STRING, service_request_id=STRING, status=_enum(update_statuses), updated_datetime=TIME,
            description=_text(description="The state it became, in words."), media_url=NULL),
    }


def _operation(operation_id: str, summary: str, responses: dict, parameters: tuple = (),
               security: list | None = None, body: dict | None = None, description: str = "") -> dict:
    operation = {"operationId": operation_id, "summary": summary, "tags": ["open311"], "security": security or [],
                 "parameters": [*parameters, LOCALE, JURISDICTION], "responses": responses}
    if description:
        operation["description"] = description
    if body is not None:
        operation["requestBody"] = {"required": True, "content": {kind: {"schema": body} for kind in views.FORM_TYPES}}
    return operation


LOCALE = _query("locale", "The language of names and messages; the city's when it has not this one.",
                {**STRING, "examples": ["en"]})
JURISDICTION = _query("jurisdiction_id", "Accepted and ignored: the endpoint is one city's.", STRING)


def _dates() -> tuple:
    def zoned(name: str, description: str) -> dict:
        return _query(name, f"{description} With its zone (Z or +02:00); to the second, included.",
                      _or_empty({**STRING, "format": "date-time", "maxLength": open311.MAX_TIME}))
    return (zoned("start_date", f"Filed at this time or later; at most {open311.WINDOW.days} days before end_date."),
            zoned("end_date", "Filed at this time or earlier; the last "
                              f"{open311.WINDOW.days} days when neither date is given."))


def _pages() -> tuple:
    return (_query("page", "The page, from 1; pages only when page or page_size is given (else the first "
                           f"{open311.UNPAGED_LIMIT}).",
                   _or_empty({"type": "integer", "minimum": 1, "maximum": open311.MAX_PAGE})),
            _query("page_size", f"{open311.PAGE_SIZE} unless given.",
                   _or_empty({"type": "integer", "minimum": 1, "maximum": open311.MAX_PAGE_SIZE})))


EXTENSIONS = _query("extensions", "true adds extended_attributes and notes (any letter case).",
                    {**STRING, "pattern": "^([Tt][Rr][Uu][Ee]|[Ff][Aa][Ll][Ss][Ee])?$"})


def _filing(ex: dict) -> dict:
    """The form a request is filed with. An empty field counts as one left out."""
    address_id = georeport.address_id(ex["street"], ex["house"])

    def given(name: str) -> dict:
        return {"type": "object", "required": [name], "properties": {name: {**STRING, "pattern": r"\S"}}}

    details = {f"attribute[{name}]": _text(tickets.ADDRESS_LIMITS[name], text)
               for name, text in (("entrance", "The entrance."), ("flat", "The flat: seen only by the city's staff "
                                                                           "and the executor."),
                                  ("note", "How to find the place or get in: seen only by the staff and the "
                                           "executor."))}
    return {
        "type": "object", "required": ["service_code", "description"],
        "properties": {
            "api_key": _text(description="The key (or in the query string, or as a bearer token); this one wins."),
            "service_code": _text(open311.MAX_CODE, "A service_code of GET services.", pattern=r"\S",
                                  examples=[ex["cause"]]),
            "description": _text(lifecycle.MAX_DESCRIPTION, "What is wrong; required.", pattern=r"\S",
                                 examples=["No cold water pressure on the upper floors since Friday."]),
            "address_id": _text(open311.MAX_ADDRESS, "A street's code (GET /api/streets), a colon and the house; "
                                                     "before address_string.", examples=[address_id]),
            "address_string": _text(open311.MAX_ADDRESS, "The street's full name in any of the city's languages "
                                                         "and the house number.",
                                    examples=[f"{ex['street_name']}, {ex['house']}"]),
            "lat": _or_empty({"type": "number", "minimum": -90, "maximum": 90,
                              "description": "Kept with an address; with long, or neither."}),
            "long": _or_empty({"type": "number", "minimum": -180, "maximum": 180}),
            **details,
            "phone": _text(phones.MAX_INPUT, "The resident's mobile: they get the city's SMS about the request "
                                             "and find it in their cabinet.", examples=[ex["phone"]]),
            "email": _text(MAX_EMAIL, "Without a phone: the resident's account by this address."),
            "first_name": _text(open311.MAX_NAME), "last_name": _text(open311.MAX_NAME),
            "media_url": _text(open311.MAX_MEDIA_URL, "A link to a photo the partner keeps: staff open it; the city "
                                                      "never shows it publicly.",
                               pattern=rf"^(\s*{open311.MEDIA_URL.pattern}\s*)?$"),
            "device_id": _text(description="Ignored."), "account_id": _text(description="Ignored."),
        },
        "allOf": [
            # The place: an address id or one written out (lat and long alone name none).
            {"anyOf": [given("address_id"), given("address_string")]},
            # Both coordinates, or neither.
            {"anyOf": [{"type": "object", "properties": {"lat": {"const": ""}, "long": {"const": ""}}},
                       {"type": "object", "required": ["lat", "long"],
                        "properties": {"lat": {"type": "number"}, "long": {"type": "number"}}}]},
        ],
    }


def _array(name: str) -> dict:
    return {"type": "array", "items": _ref(name)}


def paths(ex: dict) -> dict:
    """{path: path item} of every Open311 resource in each format."""
    prefix = views.PREFIX
    record = {"service_request_id": "$response.body#/0/service_request_id"}
    found = {_id("Request", fmt): _link(_id("Request", fmt), record) for fmt in FORMATS}
    service_code = _path("service_code", "A service_code of GET services.", examples=[ex["cause"]])
    number = _path("service_request_id", "The request's number (the ticket's public number).",
                   examples=["100009"])
    definitions = {_id("Service", fmt): _link(_id("Service", fmt), {"service_code": "$response.body#/0/service_code"})
                   for fmt in FORMATS}
    items = {}
    for fmt in FORMATS:
        # Links read the JSON answers only: an XML one gives them nothing to read.
        json_only = fmt == "json"
        items.update({
            f"{prefix}/discovery.{fmt}": {"get": _operation(_id("Discovery", fmt), "The endpoint and its formats", {
                "200": _answer_in(fmt, _ref("Open311Discovery"), "Where to file, in which formats, whom to ask "
                                                                 "for a key."), **_errors(fmt)})},
            f"{prefix}/services.{fmt}": {"get": _operation(_id("Services", fmt), "The services: one per cause", {
                "200": _answer_in(fmt, _array("Open311Service"), "In the catalogue's order.",
                                  links=definitions if json_only else None), **_errors(fmt)})},
            f"{prefix}/services/{{service_code}}.{fmt}": {"get": _operation(
                _id("Service", fmt), "A service's definition: the address's details it takes", {
                    "200": _answer_in(fmt, _ref("Open311ServiceDefinition"), "Its attributes, all optional."),
                    **_errors(fmt, 404)}, parameters=(service_code,))},
            f"{prefix}/requests.{fmt}": {
                "post": _operation(_id("FileRequest", fmt), "File a request", {
                    "201": _answer_in(fmt, _ref("Open311Filed"), "Filed (or a repeat's first answer).",
                                      links={**found, "getPublicTicket": _link(
                                          "getPublicTicket", {"number": record["service_request_id"]})}
                                      if json_only else None),
                    **_errors(fmt, 400, 403, 404, 429)},
                    parameters=(IDEMPOTENCY_KEY,), security=KEY, body=_filing(ex),
                    description=(f"A key files at most {open311.FILINGS_PER_KEY_PER_HOUR} requests an hour. An "
                                 "unknown service_code is 404; any other field that is wrong, 400; nothing is "
                                 "written then.")),
                "get": _operation(_id("Requests", fmt), "Search the requests", {
                    "200": _answer_in(fmt, _array("Open311Request"), "Newest first.",
                                      links=found if json_only else None),
                    **_errors(fmt, 400, 404)},
                    parameters=(
                        _query("service_request_id", f"Numbers, comma-separated (at most {open311.MAX_LISTED}); "
                                                     "given, the other parameters do not filter.", STRING),
                        _query("service_code", f"service_codes, comma-separated or repeated (at most "
                                               f"{open311.MAX_LISTED}); an unknown one is 404.",
                               {**STRING, "examples": [ex["cause"]]}),
                        _query("status", "open, closed, or both (comma-separated).",
                               {**STRING, "pattern": r"^\s*((open|closed)\s*)?(,\s*((open|closed)\s*)?)*$",
                                "examples": ["open"]}),
                        *_dates(), *_pages(), EXTENSIONS)),
            },
            f"{prefix}/requests/{{service_request_id}}.{fmt}": {"get": _operation(
                _id("Request", fmt), "One request", {
                    "200": _answer_in(fmt, {**_array("Open311Request"), "minItems": 1, "maxItems": 1},
                                      "A list of the one request."), **_errors(fmt, 400, 404)},
                parameters=(number, EXTENSIONS))},
            f"{prefix}/tokens/{{token}}.{fmt}": {"get": _operation(
                _id("Token", fmt), "The request a token stands for", _errors(fmt, 404),
                parameters=(_path("token", "A token."),),
                description="Always 404: filing answers with the request's number at once, so no token is handed "
                            "out.")},
            f"{prefix}/servicerequestupdates.{fmt}": {"get": _operation(
                _id("Updates", fmt), "Each change of a request's state (FixMyStreet's extension)", {
                    "200": _answer_in(fmt, _array("Open311Update"), "Oldest first.",
                                      links=found if json_only else None),
                    **_errors(fmt, 400)}, parameters=(*_dates(), *_pages()))},
        })
    return items
