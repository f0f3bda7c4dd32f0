"""The OpenAPI 3.1 description of /api, and the route that serves it.

The document is data built from the code's own tables and limits (the field limits
of the services, the lifecycle's states and commands, the roles, the photo limits),
so that it cannot drift from what the API checks; tests/api/test_openapi.py holds
it to the app's routes, and the schemathesis run (tests/fuzz) to the answers.
Request bodies are as strict as the API and no stricter: a field the API ignores
or takes in any form is left open, and unknown fields are allowed, as the API
ignores them. Answers are described exactly (every field, nothing more).

Examples come from the city's own reference data (a cause, a street with a known
building, an executor), so a request built from them gets past validation. The
document is built on its first request in a container and kept.
"""

from ..domain import outage as outages
from ..domain import sla
from ..domain import ticket as lifecycle
from ..domain.catalogue import SCOPES
from ..domain.labels import LANGUAGES
from ..domain.organisation import KINDS
from ..domain.outbox import DEAD, EMAIL, PENDING, SENT, SMS
from ..domain.resident import PHONE
from ..domain.staff import LOCK_AFTER, LOCK_MINUTES, ROLES
from ..services import (
    audit, auth, directory_admin, open311_keys, outbox, permissions, photos, privacy, reference, staff, staff_tickets,
    tickets,
)
from ..services import phone as phones
from . import admin_directory, http
from .http import ApiBlueprint

blueprint = ApiBlueprint(__name__)

_built = {}


@blueprint.endpoint("/api/openapi.json", methods=["GET"])
def description(call):
    return document(call.deps)


def document(deps) -> dict:
    """The description, built from the city and its reference data on the first call and kept."""
    if "document" not in _built:
        _built["document"] = build(deps.city, reference.load(deps.storage))
    return _built["document"]


# --- schema pieces --------------------------------------------------------------------------

def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _answer(**properties) -> dict:
    """An object the API answers with: exactly these fields, each always present."""
    return {"type": "object", "additionalProperties": False, "required": sorted(properties),
            "properties": properties}


def _request(required: tuple = (), **properties) -> dict:
    """An object the API takes: these fields (`required` must be there), others ignored."""
    schema = {"type": "object", "properties": properties}
    return {**schema, "required": list(required)} if required else schema


def _or_null(schema: dict) -> dict:
    kind = schema["type"]
    return {**schema, "type": [*(kind if isinstance(kind, list) else [kind]), "null"]}


def _text(limit: int | None = None, description: str = "", **extra) -> dict:
    """A text field; `limit` counts the characters once the spaces around are trimmed."""
    schema = {"type": "string", **({"maxLength": limit} if limit is not None else {}), **extra}
    return {**schema, "description": description} if description else schema


def _enum(values, description: str = "") -> dict:
    schema = {"type": "string", "enum": list(values)}
    return {**schema, "description": description} if description else schema


STRING = {"type": "string"}
BOOLEAN = {"type": "boolean"}
COUNT = {"type": "integer", "minimum": 0}
# Every time the API answers with: ISO 8601 in UTC with a Z.
TIME = {"type": "string", "format": "date-time", "pattern": r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$"}
STATES = [state.value for state in lifecycle.State]
HISTORY_COMMANDS = ["file", *lifecycle.COMMANDS]
# Every action a role may be allowed (GET /api/admin/me's "may").
ACTIONS = sorted(set(permissions.OTHER_ACTIONS) | set(lifecycle.COMMANDS))


def _named(label: str = "name") -> dict:
    return _answer(code=STRING, **{label: STRING})


def _labels(description: str) -> dict:
    return {"type": "object", "description": description, "additionalProperties": STRING,
            "required": list(LANGUAGES)}


def _schemas(city, ex: dict) -> dict:
    """components.schemas: the answers, then the bodies the API takes."""
    address = _answer(street=STRING, house=STRING, entrance=STRING, flat=STRING, note=STRING, street_name=STRING)
    summary = dict(
        id=STRING, number=STRING, status=_enum(STATES), status_label=STRING, cause=_named(), category=_named(),
        address=address, organisation=_named(), filed_at=TIME, due_at=TIME, overdue=BOOLEAN)
    history = dict(
        at=TIME, command=_enum(HISTORY_COMMANDS), by=_enum(("resident", "system", "staff")),
        **{"from": _or_null(_enum(STATES)), "to": _enum(STATES)}, note=STRING,
        photos={"type": "array", "items": _ref("PhotoLink")})
    detail = dict(
        summary, description=STRING, lat=_or_null({"type": "number"}), lon=_or_null({"type": "number"}),
        photos={"type": "array", "items": _ref("PhotoLink")}, district=_named(), closed_at=_or_null(TIME),
        rating=_or_null({"type": "integer", "minimum": 1, "maximum": 5}), round={"type": "integer", "minimum": 1},
        actions={"type": "array", "items": _enum(lifecycle.COMMANDS),
                 "description": "The commands the reader may take on the ticket now."},
        history={"type": "array", "items": _answer(**history)})
    staff_history = _answer(**history, actor=_answer(role=STRING, name=STRING))
    staff_detail = dict(
        detail, reporter=_answer(
            removed=_enum(("", *lifecycle.ANONYMISED_BECAUSE), "Why the reporter's personal data is gone, or \"\"."),
            contact={**BOOLEAN, "description": "Whether the reader may ask for it (GET .../contact)."}),
        description_public=BOOLEAN, escalated=BOOLEAN,
        media_url=_text(description="A partner's link to a photo (Open311), or \"\"."),
        organisation=_answer(code=STRING, name=STRING, label=STRING),
        version={"type": "integer", "minimum": 1, "description": "Send it with a command."},
        history={"type": "array", "items": staff_history})
    staff_account = dict(
        id=STRING, username=STRING, name=STRING, role=_enum(ROLES), organisation=_or_null(STRING), active=BOOLEAN,
        totp=BOOLEAN, locked_until=_or_null(TIME), version={"type": "integer", "minimum": 1})
    message = dict(
        id=STRING, channel=_enum((SMS, EMAIL)), to=_text(description="The recipient, masked."), kind=STRING,
        ticket_id=_or_null(STRING), urgent=BOOLEAN, status=_enum((PENDING, SENT, DEAD)), tries=COUNT,
        last_error=STRING, created_at=TIME, next_attempt_at=TIME, sent_at=_or_null(TIME))
    cause = _answer(code=STRING, topic=STRING, name=_labels("The cause's name in each language."), label=STRING,
                    sla_class=_enum(sla.CLASSES), scope=_enum(SCOPES), organisation=STRING,
                    advice=_or_null(_labels("Advice shown before filing, in each language.")))
    address_limits = tickets.ADDRESS_LIMITS
    filing = _request(
        ("cause", "address", "description"),
        cause=_text(description="A cause code of GET /api/categories.", examples=[ex["cause"]]),
        address=_request(
            ("street", "house"),
            street=_text(description="A street code of GET /api/streets.", examples=[ex["street"]]),
            house=_text(address_limits["house"], examples=[ex["house"]]),
            **{name: _or_null(_text(address_limits[name])) for name in ("entrance", "flat", "note")}),
        description=_text(lifecycle.MAX_DESCRIPTION, "What is wrong; required.",
                          examples=["Weak cold water pressure on the upper floors since Friday."]),
        lat=_or_null({"type": "number", "minimum": -90, "maximum": 90,
                      "description": "With lon, or neither."}),
        lon=_or_null({"type": "number", "minimum": -180, "maximum": 180}),
        photos=_or_null({"type": "array", "maxItems": photos.MAX_PHOTOS, "items": STRING,
                         "description": "Keys of photos the caller uploaded (POST /api/uploads)."}))
    upload = _request(
        ("content_type", "size"), content_type=_enum(photos.TYPES),
        size={"type": "integer", "minimum": 1, "maximum": photos.MAX_BYTES, "description": "In bytes."},
        filename=_or_null(_text(photos.MAX_FILENAME)))
    note = _or_null(_text(staff_tickets.MAX_NOTE))
    organisation_body = dict(
        kind=_enum(KINDS),
        name=_request(LANGUAGES, **{lang: _text(directory_admin.MAX_NAME) for lang in LANGUAGES}),
        supervisor=_or_null(_text(60, "A department's code; required for an executor.")),
        phone=_or_null(_text(16, "E.164, e.g. +380567000110.")),
        email=_or_null(_text(auth.MAX_EMAIL)),
        topics=_or_null({"type": "array", "items": STRING, "description": "Topic codes of GET /api/categories."}))
    return {
        "Error": _answer(error=_answer(code=_text(description="A stable word for the error."),
                                       message=_text(description="For people, in the caller's language."))),
        "PhotoLink": _answer(url=_text(description="A short-lived link to the photo.")),
        "Identity": _answer(kind=_text(description='"phone", "email" or "oidc:<provider>".'),
                            value=_text(description="Masked.")),
        "Resident": _answer(id=STRING, phone=_text(description="E.164, or empty for an account without a phone."),
                            language=_enum(city.languages), name=STRING, status_sms=BOOLEAN,
                            identities={"type": "array", "items": _ref("Identity")}),
        "Receipt": _answer(id=STRING, number=STRING, status=_enum(STATES), due_at=TIME),
        "TicketSummary": _answer(**summary),
        "Ticket": _answer(**detail),
        "StaffTicket": _answer(**staff_detail),
        "PublicTicket": _answer(
            number=STRING, status=_enum(STATES), cause=_named(), category=_named(),
            address=_answer(street=STRING, street_name=STRING, house=STRING), district=_named(),
            organisation=_named(), filed_at=TIME, due_at=TIME, closed_at=_or_null(TIME), overdue=BOOLEAN),
        "Topic": _answer(code=STRING, name=STRING, icon=STRING, causes={"type": "array", "items": _answer(
            code=STRING, name=STRING, sla_class=_enum(sla.CLASSES), sla_hours={"type": "integer", "minimum": 1},
            advice=_or_null(STRING))}),
        "Street": _answer(code=STRING, name=STRING, district=_named()),
        "UploadForm": _answer(
            key=_text(description="Name it in the ticket's photos once the upload is done."),
            url=_text(description="Where the browser posts the form (multipart/form-data)."),
            fields={"type": "object", "additionalProperties": STRING,
                    "description": "The form's fields, to send as they are before the file."}),
        "StaffMe": _answer(id=STRING, username=STRING, name=STRING, role=_enum(ROLES), organisation=_or_null(STRING),
                           totp=BOOLEAN, may={"type": "array", "items": _enum(ACTIONS)}),
        "StaffAccount": _answer(**staff_account),
        "NewStaffAccount": _answer(**staff_account, password=_text(description="Shown once.")),
        "ChangedStaffAccount": {**_answer(**staff_account, password=_text(description="The new one, shown once.")),
                                "required": sorted(staff_account)},
        "QueueRow": _answer(
            id=STRING, number=STRING, state=_enum(STATES), status_label=STRING, topic=_named("label"),
            cause=_answer(code=STRING, label=STRING, sla_class=_enum(sla.CLASSES)), organisation=_named("label"),
            address=STRING, district=_named("label"), filed_at=TIME, due_at=TIME, overdue=BOOLEAN,
            round={"type": "integer", "minimum": 1}, escalated=BOOLEAN, channel=_enum(lifecycle.CHANNELS)),
        "Outage": _answer(
            id=STRING, kind=_named("label"), area=STRING,
            addresses={"type": "array", "items": _answer(street=STRING, name=STRING,
                                                         houses={"type": "array", "items": STRING})},
            reason=STRING, starts_at=TIME, expected_end=TIME, state=_enum(outages.STATES),
            version={"type": "integer", "minimum": 1}, created_at=TIME, updated_at=TIME, closed_at=_or_null(TIME)),
        "Organisation": _answer(code=STRING, kind=_enum(KINDS), name=_labels("The name in each language."),
                                label=STRING, supervisor=_or_null(STRING), phone=STRING, email=STRING,
                                topics={"type": "array", "items": STRING}),
        "Cause": cause,
        "Open311Key": _answer(id=STRING, name=STRING, created_at=TIME, revoked_at=_or_null(TIME)),
        "Contact": _answer(name=STRING, phone=_text(description="E.164, or \"\"."), email=STRING),
        "ContactView": _answer(at=TIME, ticket=_answer(id=STRING, number=STRING), staff=_answer(
            id=STRING, username=STRING, role=_enum(ROLES), name=_text(description="Their name now."))),
        "MyData": _answer(
            exported_at=TIME,
            account=_answer(id=STRING, phone=STRING, name=STRING, email=STRING, created_at=TIME),
            identities={"type": "array", "description": "Unmasked: they are the resident's own.", "items": {"oneOf": [
                _answer(kind=_enum((PHONE, EMAIL)), value=STRING),
                _answer(kind={"const": "provider"}, provider=STRING, subject=STRING)]}},
            preferences=_answer(language=_enum(city.languages), status_sms=BOOLEAN),
            tickets={"type": "array", "items": _answer(
                **{name: field for name, field in detail.items() if name != "actions"},
                channel=_enum(lifecycle.CHANNELS))},
            ratings={"type": "array", "items": _answer(
                ticket=_text(description="Its number."), stars={"type": "integer", "minimum": min(tickets.STARS),
                                                                "maximum": max(tickets.STARS)},
                comment=STRING, at=TIME)},
            confirmations={"type": "array", "items": _answer(
                ticket=_text(description="Its number."), answer=_enum(privacy.CONFIRMATIONS), comment=STRING,
                at=TIME)}),
        "OutboxMessage": _answer(**message),
        # Bodies.
        "Filing": filing,
        "CallerFiling": {**filing, "required": [*filing["required"], "channel", "caller"], "properties": {
            **filing["properties"],
            "channel": _enum(staff_tickets.CALLER_CHANNELS, "How the caller reached the contact centre."),
            "caller": _request(("phone",), phone=_text(phones.MAX_INPUT, "The caller's mobile number.",
                                                       examples=[ex["phone"]]),
                               name=_or_null(_text(staff_tickets.MAX_CALLER_NAME)),
                               language=_enum(city.languages, "Of the caller's SMS; the city's by default.")),
        }},
        "Upload": upload,
        "Note": _request(version=_ref("Version"), note=note),
        "Version": {"type": "integer", "description": "The ticket's version as read; another answers 409."},
        "OrganisationDetails": _request(("kind", "name"), **organisation_body),
        "NewOrganisation": _request(
            ("code", "kind", "name"),
            code=_text(60, "2 to 60 lowercase Latin letters, digits or hyphens.", pattern=directory_admin.CODE.pattern,
                       examples=["zhek-99"]), **organisation_body),
        "Nothing": {"type": "object", "description": "This write takes no fields: send {}."},
    }


def _example_values(city, ref) -> dict:
    """Codes that exist in the city's reference data, for the examples."""
    # phonenumbers is heavy: it is imported when the description is first built, not at cold start.
    import phonenumbers

    region = phonenumbers.region_code_for_country_code(city.allowed_country_codes[0])
    mobile = phonenumbers.example_number_for_type(region, phonenumbers.PhoneNumberType.MOBILE)
    building = ref.registry.buildings[0] if ref.registry.buildings else None
    street = ref.registry.street(building.street) if building else ref.registry.streets[0]
    executors = [o.code for o in ref.organisations.values() if o.kind == "executor"]
    departments = [o.code for o in ref.organisations.values() if o.kind == "department"]
    first = ref.catalogue.topics[0]
    return {
        "phone": phonenumbers.format_number(mobile, phonenumbers.PhoneNumberFormat.E164),
        "cause": first.causes[0].code, "topic": first.code,
        "street": street.code, "street_name": street.name(city.default_language),
        "house": building.house if building else "1",
        "district": building.district if building else street.district,
        "executor": executors[0] if executors else "", "department": departments[0] if departments else "",
    }


# --- responses and parameters ---------------------------------------------------------------

ERRORS = {
    400: "The body is no JSON (bad_json).",
    401: "Not signed in, or the session has ended.",
    403: "The caller's role may not do this.",
    404: "No such thing, or one the caller may not see.",
    409: "The state does not allow it now, or the version sent is stale.",
    413: "The body is too large.",
    415: "The body is not sent as JSON (Content-Type: application/json).",
    422: "A field is wrong: the answer names it.",
    429: "Too many requests: the message says when to try again.",
    503: "The SMS or e-mail provider failed: try again in a few minutes.",
}


def _json(schema: dict, description: str, headers: dict | None = None, links: dict | None = None) -> dict:
    response = {"description": description, "content": {"application/json": {"schema": schema}}}
    return {**response, **({"headers": headers} if headers else {}), **({"links": links} if links else {})}


def _errors(*statuses: int) -> dict:
    return {str(status): {"$ref": f"#/components/responses/E{status}"} for status in statuses}


def _error_responses() -> dict:
    responses = {f"E{status}": _json(_ref("Error"), description) for status, description in ERRORS.items()}
    responses["E429"]["headers"] = {"Retry-After": {
        "description": "Seconds until the limit's window ends, when the limit has one.",
        "schema": {"type": "integer", "minimum": 1}}}
    responses["MethodNotAllowed"] = {
        **_json(_ref("Error"), "Any method a path does not list answers this."),
        "headers": {"Allow": {"required": True, "description": "The methods the path takes.", "schema": STRING}}}
    return responses


def _cookie_header(description: str) -> dict:
    return {"Set-Cookie": {"required": True, "description": description, "schema": STRING}}


LANG = {"$ref": "#/components/parameters/lang"}
ACCEPT_LANGUAGE = {"$ref": "#/components/parameters/acceptLanguage"}


def _path(name: str, description: str, **schema) -> dict:
    return {"name": name, "in": "path", "required": True, "description": description,
            "schema": {"type": "string", "minLength": 1, **schema}}


def _query(name: str, description: str, schema: dict, required: bool = False) -> dict:
    return {"name": name, "in": "query", "required": required, "description": description, "schema": schema}


def _or_empty(schema: dict) -> dict:
    """A query parameter the API reads as absent when it is empty."""
    return {"anyOf": [schema, {"const": ""}]}


IDEMPOTENCY_KEY = {
    "name": "Idempotency-Key", "in": "header", "required": False,
    "description": "A repeat with the same key gets the first answer and files nothing more.",
    "schema": {"type": "string", "minLength": 1, "maxLength": tickets.MAX_IDEMPOTENCY_KEY, "pattern": "^[!-~]+$"},
}
RESIDENT, STAFF_MEMBER = [{"residentSession": []}], [{"staffSession": []}]
# Works signed in or not (a sign-in links its way to the signed-in account).
OPTIONAL_RESIDENT = [{}, {"residentSession": []}]
PUBLIC = []


def _operation(operation_id: str, summary: str, tag: str, security: list, responses: dict,
               parameters: tuple = (), body: dict | None = None, body_required: bool = True,
               description: str = "") -> dict:
    operation = {"operationId": operation_id, "summary": summary, "tags": [tag], "security": security,
                 "parameters": [*parameters, LANG, ACCEPT_LANGUAGE], "responses": responses}
    if description:
        operation["description"] = description
    if body is not None:
        operation["requestBody"] = {"required": body_required, "content": {"application/json": {"schema": body}}}
    return operation


def _link(operation_id: str, parameters: dict | None = None, body: dict | None = None) -> dict:
    link = {"operationId": operation_id}
    if parameters:
        link["parameters"] = parameters
    if body:
        link["requestBody"] = body
    return link


# What each staff command takes besides the version, and its summary.
def _commands(ex: dict) -> dict:
    note = _or_null(_text(staff_tickets.MAX_NOTE))
    required_note = _text(staff_tickets.MAX_NOTE, "Required.")
    return {
        "route": ("Send the ticket to an executor", ("organisation",), {
            "organisation": _text(description="An executor organisation's code.", examples=[ex["executor"]]),
            "note": note}),
        "reject": ("Reject the ticket", ("reason",), {"reason": _text(1000, "Why; required.")}),
        "merge": ("Merge the ticket into another open one", ("into",), {
            "into": {"type": ["string", "integer"], "description": "The other ticket's number."}, "note": note}),
        "escalate": ("Send the ticket to the housing inspectorate", (), {"note": note}),
        "callback_satisfied": ("Record a call-back: the resident is satisfied", (), {"note": note}),
        "callback_unsatisfied": ("Record a call-back: the resident is not satisfied", ("note",),
                                 {"note": required_note}),
        "comment": ("Comment on the ticket", ("text",), {"text": _text(2000, "Required.")}),
        "accept": ("Take the ticket into work", (), {}),
        "report_done": ("Report the work done", ("note",), {"note": required_note, "photos": _or_null({
            "type": "array", "maxItems": photos.MAX_PHOTOS, "items": STRING,
            "description": "Keys of photos the caller uploaded (POST /api/admin/uploads)."})}),
        "inspect": ("Record an inspection", ("note",), {"note": required_note}),
        "order": ("Order the work done by a date", ("due_at",), {
            "due_at": _text(40, "ISO 8601; without an offset, the city's local time. In the future.",
                            examples=["2030-01-15T12:00:00+02:00"]), "note": note}),
        "fine": ("Fine the executor", ("amount",), {
            "amount": {"type": "integer", "minimum": 1, "description": "A whole amount above zero."},
            "note": note}),
        "resolve": ("Close the inspection", (), {"note": note}),
        "publish": ("Publish the description (or not)", ("public",), {"public": BOOLEAN}),
    }


# --- the paths ------------------------------------------------------------------------------

def _resident_paths(city, ex: dict) -> dict:
    ticket_id = _path("ticket_id", "The ticket's id.", maxLength=tickets.MAX_TICKET_ID)
    on_ticket = {"ticket_id": "$request.path.ticket_id"}
    ticket_answer = _json(_ref("Ticket"), "The ticket after it.")
    actions = {f"{name}Ticket": _link(f"{name}Ticket", on_ticket) for name in ("withdraw", "confirm", "refute", "rate")}
    actions["commentOnTicket"] = _link("commentOnTicket", on_ticket)
    filed = {"getMyTicket": _link("getMyTicket", {"ticket_id": "$response.body#/id"}),
             "getPublicTicket": _link("getPublicTicket", {"number": "$response.body#/number"}),
             **{name: _link(name, {"ticket_id": "$response.body#/id"}) for name in actions}}
    cookie = _cookie_header("The session cookie, citydesk_session (HttpOnly; SameSite=Strict; Path=/api).")
    signed_in = _json(_answer(resident=_ref("Resident")), "Signed in.", headers=cookie)
    body_errors = (400, 413, 415, 422)
    resident_command = (401, 404, 409, *body_errors)
    return {
        "/api/health": {"get": _operation("health", "Liveness", "public", PUBLIC, {
            "200": _json(_answer(status={"const": "ok"}), "Alive.")})},
        "/api/openapi.json": {"get": _operation("getApiDescription", "This description", "public", PUBLIC, {
            "200": _json({"type": "object"}, "The OpenAPI 3.1 document.")})},
        "/api/categories": {"get": _operation("listCategories", "Topics and their causes", "public", PUBLIC, {
            "200": _json({"type": "array", "items": _ref("Topic")}, "The catalogue.")})},
        "/api/streets": {"get": _operation("searchStreets", "The address autocomplete", "public", PUBLIC, {
            "200": _json({"type": "array", "maxItems": reference.MAX_STREETS, "items": _ref("Street")},
                         "Streets whose name in any language contains q.")},
            parameters=(_query("q", "Part of a street's name.", STRING),))},
        "/api/auth/phone": {"post": _operation(
            "requestSignInCode", "Text a sign-in code to a mobile phone", "sign-in", PUBLIC, {
                "200": _json(_answer(phone=_text(description="E.164."), expires_at=TIME), "The code is on its way.",
                             links={"verifySignInCode": _link("verifySignInCode",
                                                              body={"phone": "$response.body#/phone"})}),
                **_errors(*body_errors, 429, 503)},
            body=_request(("phone",), phone=_text(phones.MAX_INPUT, "A mobile number, national or international.",
                                                  examples=[ex["phone"]])))},
        "/api/auth/phone/verify": {"post": _operation(
            "verifySignInCode", "Sign in with the code", "sign-in", OPTIONAL_RESIDENT, {
                "200": signed_in, **_errors(401, 409, *body_errors, 429)},
            body=_request(("phone", "code"), phone=_text(phones.MAX_INPUT, examples=[ex["phone"]]),
                          code=_text(description="The 6 digits of the SMS.", examples=["123456"])),
            description="Signed in already, the phone is linked to the account (409 if another account has it).")},
        "/api/auth/email": {"post": _operation(
            "requestSignInLink", "E-mail a sign-in link", "sign-in", PUBLIC, {
                "200": _json(_answer(email=STRING, expires_at=TIME), "The link is on its way."),
                **_errors(*body_errors, 429, 503)},
            body=_request(("email",), email=_text(auth.MAX_EMAIL, examples=["resident@example.org"])))},
        "/api/auth/email/verify": {"post": _operation(
            "verifySignInLink", "Sign in with the e-mailed link's token", "sign-in", OPTIONAL_RESIDENT, {
                "200": signed_in, **_errors(401, 409, *body_errors)},
            body=_request(("token",), token=_text(auth.MAX_TOKEN, "From the link's #token=.", minLength=1)))},
        "/api/auth/providers": {"get": _operation(
            "listSignInProviders", "The providers one may sign in with", "sign-in", PUBLIC, {
                "200": _json({"type": "array", "items": _answer(name=STRING, label=STRING)}, "In the city's order.")})},
        "/api/auth/oidc/{provider}/start": {"get": _operation(
            "startProviderSignIn", "Go to the provider's sign-in", "sign-in", OPTIONAL_RESIDENT, {
                "302": {"description": "To the provider, or back to the sign-in page with #error=<code>.",
                        "headers": {"Location": {"required": True, "schema": STRING},
                                    **_cookie_header("The flow's cookie, citydesk_oauth (SameSite=Lax).")}}},
            parameters=(_path("provider", "A provider's name."),),
            description="A page the browser navigates to, not a call from a script.")},
        "/api/auth/oidc/{provider}/callback": {"get": _operation(
            "finishProviderSignIn", "Where the provider sends the browser back", "sign-in", PUBLIC, {
                "302": {"description": "Signed in, to the cabinet; or to the sign-in page with #error=<code>.",
                        "headers": {"Location": {"required": True, "schema": STRING}, **_cookie_header(
                            "The session cookie when signed in; the flow's cookie cleared.")}}},
            parameters=(_path("provider", "A provider's name."), _query("code", "From the provider.", STRING),
                        _query("state", "From the provider.", STRING)))},
        "/api/auth/logout": {"post": _operation(
            "signOut", "Sign out", "sign-in", OPTIONAL_RESIDENT, {
                "204": {"description": "Signed out.", "headers": _cookie_header("The session cookie, cleared.")},
                **_errors(415)})},
        "/api/me": {
            "get": _operation("getMe", "The signed-in resident's account", "resident", RESIDENT, {
                "200": _json(_ref("Resident"), "The account."), **_errors(401)}),
            "patch": _operation(
                "changeMe", "Change the account's language or its status SMS", "resident", RESIDENT, {
                    "200": _json(_ref("Resident"), "The account after it."), **_errors(401, *body_errors)},
                body=_request(language=_enum(city.languages), status_sms={
                    **BOOLEAN, "description": "SMS about my tickets (sign-in codes go whatever it says)."})),
            "delete": _operation(
                "deleteMe", "Delete the account", "resident", RESIDENT, {
                    "204": {"description": "Deleted (or a repeat from the same session): every session of the "
                                           "account has ended.",
                            "headers": _cookie_header("The session cookie, cleared.")},
                    **_errors(401, *body_errors)},
                body=_request(("confirm",), confirm={"const": True, "description": "Nothing happens without it."}),
                description="Its tickets stay and go on being worked, without the reporter's personal data; the "
                            "SMS about them not sent yet are not sent."),
        },
        "/api/me/data": {"get": _operation(
            "getMyData", "A copy of everything kept about me", "resident", RESIDENT, {
                "200": _json(_ref("MyData"), "A file to save.", headers={"Content-Disposition": {
                    "required": True, "schema": {
                        **STRING, "pattern": '^attachment; filename="citydesk-my-data-[0-9]{4}-[0-9]{2}-[0-9]{2}'
                                             '\\.json"$'}}}),
                **_errors(401, 429)},
            description=f"At most {privacy.EXPORTS_PER_HOUR} an hour.")},
        "/api/uploads": {"post": _operation(
            "requestUploadForm", "A form to upload one photo with", "resident", RESIDENT, {
                "201": _json(_ref("UploadForm"), f"Post the photo within {int(photos.UPLOAD_TTL.total_seconds() // 60)}"
                                                 " minutes."),
                **_errors(401, *body_errors, 429)}, body=_ref("Upload"))},
        "/api/tickets": {
            "post": _operation("fileTicket", "File a ticket", "resident", RESIDENT, {
                "201": _json(_ref("Receipt"), "Filed (or a repeat's first answer).", links=filed),
                **_errors(401, *body_errors)}, parameters=(IDEMPOTENCY_KEY,), body=_ref("Filing")),
            "get": _operation("listMyTickets", "My tickets", "resident", RESIDENT, {
                "200": _json(_answer(current={"type": "array", "items": _ref("TicketSummary")},
                                     completed={"type": "array", "items": _ref("TicketSummary")}), "Open and closed.",
                             links={"getMyTicket": _link("getMyTicket", {"ticket_id": "$response.body#/current/0/id"})}),
                **_errors(401)}),
        },
        "/api/tickets/similar": {"get": _operation(
            "findSimilarTickets", "Open tickets of a cause at an address", "resident", RESIDENT, {
                "200": _json(_answer(tickets={"type": "array", "items": _answer(
                    number=STRING, status=_enum(STATES), status_label=STRING, filed_at=TIME, due_at=TIME,
                    mine=BOOLEAN)}), "What the public page shows of each."), **_errors(401, 422)},
            parameters=_address_query(ex))},
        "/api/tickets/{ticket_id}": {"get": _operation(
            "getMyTicket", "One of my tickets, with its history", "resident", RESIDENT, {
                "200": _json(_ref("Ticket"), "The ticket.", links=actions), **_errors(401, 404)},
            parameters=(ticket_id,))},
        "/api/tickets/{ticket_id}/comment": {"post": _operation(
            "commentOnTicket", "Comment on my ticket", "resident", RESIDENT, {
                "200": ticket_answer, **_errors(*resident_command)}, parameters=(ticket_id,),
            body=_request(("text",), text=_text(2000)))},
        "/api/tickets/{ticket_id}/withdraw": {"post": _operation(
            "withdrawTicket", "Withdraw my ticket", "resident", RESIDENT, {
                "200": ticket_answer, **_errors(*resident_command)}, parameters=(ticket_id,),
            body=_ref("Nothing"), body_required=False)},
        "/api/tickets/{ticket_id}/confirm": {"post": _operation(
            "confirmTicket", "Confirm the work reported done", "resident", RESIDENT, {
                "200": ticket_answer, **_errors(*resident_command)}, parameters=(ticket_id,),
            body=_ref("Nothing"), body_required=False)},
        "/api/tickets/{ticket_id}/refute": {"post": _operation(
            "refuteTicket", "Say the work reported done is not", "resident", RESIDENT, {
                "200": ticket_answer, **_errors(*resident_command)}, parameters=(ticket_id,),
            body=_request(("comment",), comment=_text(tickets.MAX_COMMENT, "Required."), photos=_or_null({
                "type": "array", "maxItems": photos.MAX_PHOTOS, "items": STRING})),
            description="The first time, an urgent second round; after it, the housing inspectorate.")},
        "/api/tickets/{ticket_id}/rate": {"post": _operation(
            "rateTicket", "Rate my closed ticket once", "resident", RESIDENT, {
                "200": ticket_answer, **_errors(*resident_command)}, parameters=(ticket_id,),
            body=_request(("stars",), stars={"type": "integer", "minimum": min(tickets.STARS),
                                             "maximum": max(tickets.STARS)},
                          comment=_or_null(_text(tickets.MAX_COMMENT))))},
        "/api/public/tickets/{number}": {"get": _operation(
            "getPublicTicket", "Track a ticket by its number", "public", PUBLIC, {
                "200": _json(_ref("PublicTicket"), "What anyone may see of it."), **_errors(404)},
            parameters=(_path("number", "The ticket's number (spaces and dashes are ignored).", examples=["100009"]),))},
    }


def _address_query(ex: dict) -> tuple:
    return (_query("cause", "A cause code.", {**STRING, "examples": [ex["cause"]]}, required=True),
            _query("street", "A street code.", {**STRING, "examples": [ex["street"]]}, required=True),
            _query("house", "The house.", {**_text(tickets.ADDRESS_LIMITS["house"]), "examples": [ex["house"]]},
                   required=True))


def _queue_query(ex: dict) -> tuple:
    return (
        _query("state", "One state, or several separated by commas.", _or_empty(_enum(STATES))),
        _query("topic", "A topic code.", _or_empty({**STRING, "examples": [ex["topic"]]})),
        _query("cause", "A cause code.", _or_empty({**STRING, "examples": [ex["cause"]]})),
        _query("organisation", "An organisation's code.", _or_empty({**STRING, "examples": [ex["executor"]]})),
        _query("street", "A street code.", _or_empty({**STRING, "examples": [ex["street"]]})),
        _query("overdue", "Only overdue tickets, or only others.", _or_empty(_enum(("1", "0", "true", "false")))),
        _query("from", "Filed on this day (the city's) or later.", _or_empty({**STRING, "format": "date"})),
        _query("to", "Filed on this day (the city's) or earlier.", _or_empty({**STRING, "format": "date"})),
        _query("order", "By deadline.", _or_empty(_enum(("asc", "desc")))),
    )


def _staff_paths(city, ex: dict) -> dict:
    ticket_id = _path("ticket_id", "The ticket's id.", maxLength=tickets.MAX_TICKET_ID)
    body_errors = (400, 413, 415, 422)
    staff_ticket = {"getStaffTicket": _link("getStaffTicket", {"ticket_id": "$response.body#/id"})}
    version_body = {"version": "$response.body#/version"}
    command_links = {f"{name}Command": _link(f"{name}Command", {"ticket_id": "$request.path.ticket_id"},
                                             version_body) for name in staff_tickets.PARSERS}
    command_links["getTicketContact"] = _link("getTicketContact", {"ticket_id": "$request.path.ticket_id"})
    command_links["listContactViews"] = _link("listContactViews", {"ticket": "$response.body#/number"})
    staff_cookie = _cookie_header("The staff session's cookie, citydesk_staff (HttpOnly; SameSite=Strict; "
                                  "Path=/api/admin).")
    me_answer = _json(_ref("StaffMe"), "The member's account.")
    outage_links = {"editOutage": _link("editOutage", {"outage_id": "$response.body#/id"}, version_body)}
    account_links = {"changeStaff": _link("changeStaff", {"staff_id": "$response.body#/id"}, version_body)}
    organisation_links = {"updateOrganisation": _link("updateOrganisation", {"code": "$response.body#/code"})}
    outage_body = _request(
        kind=_text(100, "A topic code: what is off.", examples=[ex["topic"]]),
        area=_text(outages.MAX_AREA, "The area in words.", examples=["Around the main square"]),
        addresses=_or_null({"type": "array", "maxItems": outages.MAX_STREETS, "items": _request(
            ("street",), street=_text(100, "A street code.", examples=[ex["street"]]),
            houses=_or_null({"type": "array", "maxItems": outages.MAX_HOUSES,
                             "items": _text(outages.MAX_HOUSE)}))}),
        reason=_text(outages.MAX_REASON, examples=["Replacing a burst main"]),
        starts_at={**STRING, "format": "date-time", "description": "With its offset.",
                   "examples": ["2030-01-15T08:00:00Z"]},
        expected_end={**STRING, "format": "date-time", "description": "With its offset; after the start.",
                      "examples": ["2030-01-15T18:00:00Z"]})
    paths = {
        "/api/admin/login": {"post": _operation(
            "staffSignIn", "Sign in on the staff page", "staff", PUBLIC, {
                "200": _json(_answer(staff=_ref("StaffMe")), "Signed in.", headers=staff_cookie),
                **_errors(401, *body_errors, 429)},
            body=_request(("username", "password"), username=_text(staff.MAX_USERNAME, examples=["admin"]),
                          password=_text(minLength=1),
                          totp={"description": "The authenticator app's code, if two-step sign-in is on."}),
            description=f"{LOCK_AFTER} wrong passwords in a row lock the account for {LOCK_MINUTES} minutes (429).")},
        "/api/admin/logout": {"post": _operation(
            "staffSignOut", "Sign out of the staff page", "staff", [{}, *STAFF_MEMBER], {
                "204": {"description": "Signed out.", "headers": _cookie_header("The staff cookie, cleared.")},
                **_errors(415)}, body={"description": "Ignored; it must be sent as JSON."}, body_required=False)},
        "/api/admin/me": {"get": _operation("getStaffMe", "The signed-in member's account", "staff", STAFF_MEMBER, {
            "200": me_answer, **_errors(401)})},
        "/api/admin/me/password": {"post": _operation(
            "changeStaffPassword", "Change one's own password", "staff", STAFF_MEMBER, {
                "204": {"description": "Changed; every other session has ended, this one goes on in a new one.",
                        "headers": staff_cookie}, **_errors(401, *body_errors, 429)},
            body=_request(("current", "new"), current=_text(minLength=1),
                          new=_text(staff.MAX_PASSWORD, minLength=staff.MIN_PASSWORD)))},
        "/api/admin/me/totp": {"post": _operation(
            "startTotp", "A new secret for two-step sign-in", "staff", STAFF_MEMBER, {
                "200": _json(_answer(secret=STRING, uri=_text(description="otpauth://, for a QR code.")),
                             "Nothing changes until it is confirmed.",
                             links={"confirmTotp": _link("confirmTotp", body={"secret": "$response.body#/secret"})}),
                **_errors(401, 409, *body_errors)}, body=_ref("Nothing"))},
        "/api/admin/me/totp/confirm": {"post": _operation(
            "confirmTotp", "Turn two-step sign-in on", "staff", STAFF_MEMBER, {
                "200": me_answer, **_errors(401, 409, *body_errors)},
            body=_request(("secret", "code"), secret=STRING, code={
                "description": "The code the authenticator app shows for the secret."}))},
        "/api/admin/me/totp/off": {"post": _operation(
            "turnTotpOff", "Turn two-step sign-in off", "staff", STAFF_MEMBER, {
                "200": me_answer, **_errors(401, *body_errors, 429)},
            body=_request(code={"description": "A current code (while two-step sign-in is on)."}))},
        "/api/admin/staff": {
            "get": _operation("listStaff", "Staff accounts", "admin", STAFF_MEMBER, {
                "200": _json(_answer(staff={"type": "array", "items": _ref("StaffAccount")}), "Every account."),
                **_errors(401, 403)}),
            "post": _operation("addStaff", "Make a staff account", "admin", STAFF_MEMBER, {
                "201": _json(_ref("NewStaffAccount"), "Made.", links=account_links),
                **_errors(401, 403, 409, *body_errors)},
                body=_request(
                    ("username", "name", "role"),
                    username=_text(staff.MAX_USERNAME, "3 to 40 Latin letters, digits, dots, hyphens or underscores.",
                                   pattern=f"^[A-Za-z0-9._-]{{3,{staff.MAX_USERNAME}}}$", examples=["o.kovalenko"]),
                    name=_text(staff.MAX_NAME, examples=["Olena Kovalenko"]), role=_enum(ROLES),
                    organisation=_or_null(_text(description="An executor's organisation; required for an executor.")),
                    password=_or_null(_text(staff.MAX_PASSWORD, "Generated when left out.",
                                            minLength=staff.MIN_PASSWORD)))),
        },
        "/api/admin/staff/{staff_id}": {"patch": _operation(
            "changeStaff", "Change a staff account", "admin", STAFF_MEMBER, {
                "200": _json(_ref("ChangedStaffAccount"), "The account after it.", links=account_links),
                **_errors(401, 403, 404, 409, *body_errors)},
            parameters=(_path("staff_id", "The account's id."),),
            body=_request(
                ("version",), version={"type": "integer", "minimum": 1, "description": "The account's, as read."},
                role=_enum(ROLES), organisation=_or_null(STRING), name=_text(staff.MAX_NAME), active=BOOLEAN,
                reset_password=BOOLEAN, unlock=BOOLEAN, totp_off=BOOLEAN),
            description="An admin cannot switch off or demote their own account (403).")},
        "/api/admin/tickets": {
            "get": _operation("getQueue", "The queue, by deadline", "staff", STAFF_MEMBER, {
                "200": _json(_answer(
                    tickets={"type": "array", "items": _ref("QueueRow")},
                    next=_or_null(_text(description="The cursor of the next page (after=).")),
                    counts={"type": "object", "propertyNames": _enum(STATES), "additionalProperties": COUNT,
                            "description": "How many pass the filters in each state."}), "A page.",
                    links={"getStaffTicket": _link("getStaffTicket", {"ticket_id": "$response.body#/tickets/0/id"})}),
                **_errors(401, 422)},
                parameters=(*_queue_query(ex),
                            _query("limit", "Tickets per page.", _or_empty(
                                {"type": "integer", "minimum": 1, "maximum": staff_tickets.MAX_PAGE})),
                            _query("after", "The cursor of the page (next).",
                                   _text(staff_tickets.MAX_CURSOR)))),
            "post": _operation("fileForCaller", "File a ticket for a caller", "staff", STAFF_MEMBER, {
                "201": _json(_ref("Receipt"), "Filed (or a repeat's first answer).", links=staff_ticket),
                **_errors(401, 403, *body_errors)}, parameters=(IDEMPOTENCY_KEY,), body=_ref("CallerFiling")),
        },
        "/api/admin/tickets/export": {"get": _operation(
            "exportQueue", "The queue as CSV", "staff", STAFF_MEMBER, {
                "200": {"description": f"UTF-8 with a BOM; at most {staff_tickets.EXPORT_ROWS} rows.",
                        "headers": {"Content-Disposition": {"required": True, "schema": {
                            **STRING, "pattern": '^attachment; filename="tickets-[0-9]{4}-[0-9]{2}-[0-9]{2}\\.csv"$'}}},
                        "content": {"text/csv": {"schema": STRING}}}, **_errors(401, 422)},
            parameters=_queue_query(ex))},
        "/api/admin/tickets/similar": {"get": _operation(
            "findSimilarForCaller", "Open tickets of a cause at an address", "staff", STAFF_MEMBER, {
                "200": _json(_answer(tickets={"type": "array", "items": _answer(
                    id=STRING, number=STRING, state=_enum(STATES), status_label=STRING, filed_at=TIME,
                    due_at=TIME)}), "The duplicate hint."), **_errors(401, 403, 422)},
            parameters=_address_query(ex))},
        "/api/admin/tickets/{ticket_id}": {"get": _operation(
            "getStaffTicket", "A ticket, with the reporter's contact and the history's actors", "staff",
            STAFF_MEMBER, {"200": _json(_ref("StaffTicket"), "The ticket.", links=command_links),
                           **_errors(401, 404)}, parameters=(ticket_id,))},
        "/api/admin/tickets/{ticket_id}/contact": {"get": _operation(
            "getTicketContact", "The reporter's contact, recorded as shown", "staff", STAFF_MEMBER, {
                "200": _json(_ref("Contact"), "Who was shown it, and when, is recorded first."),
                **_errors(401, 403, 404)}, parameters=(ticket_id,),
            description="For operators, executors and inspectors, of the tickets they see; 404 (contact_removed) "
                        "once the reporter's personal data is gone.")},
        "/api/admin/contact-views": {"get": _operation(
            "listContactViews", "Who was shown a reporter's contact", "admin", STAFF_MEMBER, {
                "200": _json(_answer(views={"type": "array", "items": _ref("ContactView")},
                                     next=_or_null(_text(description="The cursor of the next page (after=)."))),
                             "Newest first."),
                **_errors(401, 403, 422)},
            parameters=(
                _query("ticket", "A ticket's number: every showing of its reporter's contact (no pages).",
                       _or_empty(_text(audit.MAX_NUMBER))),
                _query("limit", "Views per page.", _or_empty({"type": "integer", "minimum": 1,
                                                              "maximum": audit.MAX_PAGE})),
                _query("after", "The cursor of the page (next).", _text(audit.MAX_CURSOR))))},
        "/api/admin/uploads": {"post": _operation(
            "requestStaffUploadForm", "A form to upload one photo with", "staff", STAFF_MEMBER, {
                "201": _json(_ref("UploadForm"), "Post the photo soon."), **_errors(401, 403, *body_errors, 429)},
            body=_ref("Upload"))},
        "/api/admin/outages": {
            "get": _operation("listOutages", "Outage notices", "staff", STAFF_MEMBER, {
                "200": _json(_answer(outages={"type": "array", "items": _ref("Outage")}),
                             "Active ones earliest start first; others latest first.",
                             links={"editOutage": _link("editOutage", {"outage_id": "$response.body#/outages/0/id"},
                                                        {"version": "$response.body#/outages/0/version"})}),
                **_errors(401, 422)},
                parameters=(_query("state", "Which notices; active by default.",
                                   _or_empty(_enum(("active", "closed", "all")))),)),
            "post": _operation("publishOutage", "Publish an outage notice", "staff", STAFF_MEMBER, {
                "201": _json(_ref("Outage"), "Published on the public page.", links=outage_links),
                **_errors(401, 403, *body_errors)},
                body={**outage_body, "required": ["kind", "area", "reason", "starts_at", "expected_end"]}),
        },
        "/api/admin/outages/{outage_id}": {"patch": _operation(
            "editOutage", "Change or close an outage notice", "staff", STAFF_MEMBER, {
                "200": _json(_ref("Outage"), "The notice after it.", links=outage_links),
                **_errors(401, 403, 404, 409, *body_errors)},
            parameters=(_path("outage_id", "The notice's id."),),
            body={**outage_body, "required": ["version"], "properties": {
                "version": {"type": "integer", "description": "The notice's, as read."}, **outage_body["properties"],
                "closed": {**BOOLEAN, "description": "True closes the notice."}}})},
        "/api/admin/outbox": {"get": _operation(
            "getOutbox", "Dead letters, held messages, alerts", "admin", STAFF_MEMBER, {
                "200": _json(_answer(
                    dead={"type": "array", "items": {**_ref("OutboxMessage"), "description": "With ticket_number."}},
                    held=COUNT, alerts={"type": "array", "items": _answer(
                        id=STRING, kind=_enum(outbox.ALERTS), title=STRING, raised_at=TIME, status=STRING)}),
                    "The overview.", links={"retryMessage": _link(
                        "retryMessage", {"message_id": "$response.body#/dead/0/id"})}), **_errors(401, 403)})},
        "/api/admin/outbox/{message_id}/retry": {"post": _operation(
            "retryMessage", "Send a dead letter again", "admin", STAFF_MEMBER, {
                "200": _json(_ref("OutboxMessage"), "The message after the try."),
                **_errors(401, 403, 404, 409, *body_errors)},
            parameters=(_path("message_id", "The message's id."),), body=_ref("Nothing"))},
        "/api/admin/organisations": {
            "get": _operation("listOrganisations", "Organisations", "admin", STAFF_MEMBER, {
                "200": _json(_answer(organisations={"type": "array", "items": _ref("Organisation")}), "By code.",
                             links={"updateOrganisation": _link(
                                 "updateOrganisation", {"code": "$response.body#/organisations/0/code"})}),
                **_errors(401)}),
            "post": _operation("createOrganisation", "Add an organisation", "admin", STAFF_MEMBER, {
                "201": _json(_ref("Organisation"), "Added.", links=organisation_links),
                **_errors(401, 403, 409, *body_errors)}, body=_ref("NewOrganisation")),
        },
        "/api/admin/organisations/{code}": {"put": _operation(
            "updateOrganisation", "Replace an organisation's details", "admin", STAFF_MEMBER, {
                "200": _json(_ref("Organisation"), "After it."), **_errors(401, 403, 404, *body_errors)},
            parameters=(_path("code", "The organisation's code.", examples=[ex["executor"]]),),
            body=_ref("OrganisationDetails"))},
        "/api/admin/catalogue": {"get": _operation("getCatalogue", "The catalogue and its SLA classes", "admin",
                                                   STAFF_MEMBER, {
            "200": _json(_answer(topics={"type": "array", "items": _answer(
                code=STRING, name=_labels("In each language."), label=STRING, icon=STRING,
                causes={"type": "array", "items": _ref("Cause")})},
                sla_classes=_answer(**{name: {"type": "integer", "minimum": 1} for name in sla.CLASSES})),
                "Hours of each class.", links={"updateCause": _link(
                    "updateCause", {"code": "$response.body#/topics/0/causes/0/code"})}), **_errors(401)})},
        "/api/admin/catalogue/causes/{code}": {"patch": _operation(
            "updateCause", "Change a cause's deadline class, executor or routing", "admin", STAFF_MEMBER, {
                "200": _json(_ref("Cause"), "After it."), **_errors(401, 403, 404, *body_errors)},
            parameters=(_path("code", "The cause's code.", examples=[ex["cause"]]),),
            body=_request(sla_class=_enum(sla.CLASSES), organisation={
                **STRING, "description": "An executor's code.", "examples": [ex["executor"]]}, scope=_enum(SCOPES)))},
        "/api/admin/registry": {"get": _operation("getRegistry", "The building registry's size", "admin",
                                                  STAFF_MEMBER, {
            "200": _json(_answer(districts=COUNT, streets=COUNT, buildings=COUNT), "How many of each."),
            **_errors(401)})},
        "/api/admin/registry/buildings": {"put": _operation(
            "importBuildings", "Replace the building list from CSV", "admin", STAFF_MEMBER, {
                "200": _json(_answer(imported=COUNT), "How many buildings it holds now."),
                **_errors(401, 403, *body_errors)},
            body=_request(("csv",), csv=_text(
                description=f"The columns {','.join(directory_admin.CSV_COLUMNS)}; the body may be up to "
                            f"{admin_directory.MAX_REGISTRY_BODY // (1024 * 1024)} MB.",
                examples=[f"{','.join(directory_admin.CSV_COLUMNS)}\n{ex['street']},{ex['house']},"
                          f"{ex['district']},{ex['executor']}\n"])))},
        "/api/admin/open311-keys": {
            "get": _operation("listOpen311Keys", "Open311 API keys", "admin", STAFF_MEMBER, {
                "200": _json(_answer(keys={"type": "array", "items": _ref("Open311Key")}), "Never the keys themselves.",
                             links={"revokeOpen311Key": _link("revokeOpen311Key",
                                                              {"key_id": "$response.body#/keys/0/id"})}),
                **_errors(401, 403)}),
            "post": _operation("issueOpen311Key", "Make an Open311 API key", "admin", STAFF_MEMBER, {
                "201": _json(_answer(id=STRING, name=STRING, created_at=TIME,
                                     api_key=_text(description="Shown once, here only.")), "Made.",
                             links={"revokeOpen311Key": _link("revokeOpen311Key", {"key_id": "$response.body#/id"})}),
                **_errors(401, 403, *body_errors)},
                body=_request(("name",), name=_text(open311_keys.MAX_NAME, examples=["City app"]))),
        },
        "/api/admin/open311-keys/{key_id}/revoke": {"post": _operation(
            "revokeOpen311Key", "Revoke an Open311 API key", "admin", STAFF_MEMBER, {
                "200": _json(_ref("Open311Key"), "Revoked (the first revocation stands)."),
                **_errors(401, 403, 404, *body_errors)},
            parameters=(_path("key_id", "The key's id."),), body=_ref("Nothing"))},
    }
    for name, (summary, required, fields) in _commands(ex).items():
        paths[f"/api/admin/tickets/{{ticket_id}}/{name}"] = {"post": _operation(
            f"{name}Command", summary, "staff", STAFF_MEMBER, {
                "200": _json(_ref("StaffTicket"), "The ticket after it.", links=staff_ticket),
                **_errors(401, 403, 404, 409, *body_errors)},
            parameters=(ticket_id,), body=_request(("version", *required), version=_ref("Version"), **fields))}
    return paths


def build(city, ref) -> dict:
    # Open311's part builds on this module's pieces: imported once they are all there.
    from . import openapi_open311 as georeport

    ex = _example_values(city, ref)
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "citydesk API", "version": "1",
            "description": (
                "JSON under /api. Times are ISO 8601 in UTC with a Z. Every error is "
                '{"error": {"code", "message"}}, the message in the caller\'s language: a signed-in resident\'s '
                "account language, else ?lang=, else Accept-Language, else the city's. A request that fails "
                "changes nothing. Staff writes must be sent as JSON (415 otherwise)."),
        },
        "servers": [{"url": "/"}],
        "tags": [{"name": name, "description": text} for name, text in (
            ("public", "Anyone."), ("sign-in", "A resident's sign-in."), ("resident", "A signed-in resident."),
            ("staff", "Staff, each role its part (the role table is services/permissions.py)."),
            ("admin", "Admins (the outbox: operators read it too)."),
            ("open311", "Open311 GeoReport v2 for partners' systems, in XML or JSON by the path's suffix."))],
        "paths": {**_resident_paths(city, ex), **_staff_paths(city, ex), **georeport.paths(ex)},
        "components": {
            "schemas": {**_schemas(city, ex), **georeport.schemas()},
            "responses": {**_error_responses(), **georeport.error_responses()},
            "parameters": {
                "lang": _query("lang", "The language of the answer (ignored for a signed-in resident).",
                               {**STRING, "examples": list(city.languages)}),
                "acceptLanguage": {"name": "Accept-Language", "in": "header", "required": False,
                                   "description": "Used when ?lang= names no language the city has.",
                                   "schema": STRING},
            },
            "securitySchemes": {
                "residentSession": {"type": "apiKey", "in": "cookie", "name": http.COOKIE,
                                    "description": "Set by a sign-in; HttpOnly, SameSite=Strict, Path=/api."},
                "staffSession": {"type": "apiKey", "in": "cookie", "name": http.STAFF_COOKIE,
                                 "description": "Set by POST /api/admin/login; Path=/api/admin."},
                **georeport.security_schemes(),
            },
        },
    }
