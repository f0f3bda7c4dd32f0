"""Open311 GeoReport v2 under /api/open311/v2/ (README "Open311"), in XML or JSON by the
path's suffix.

API Gateway routes no parameter inside a segment: a literal path is routed once per
format, and a path with an id takes "<id>.<format>" whole and splits it at the last
dot (a service code has dots of its own). Views raise domain errors as every view
does; the error middleware (api.errors) puts every error answer on these paths, its
own and Chalice's, in Open311's shape and statuses (`error_answer`).
"""

from chalice import Response

from ..domain.errors import InvalidInput, NotFound
from ..services import open311
from . import errors
from .http import MAX_BODY, ApiBlueprint

PREFIX = "/api/open311/v2"
FORMATS = ("xml", "json")
# The standard posts a form; multipart/form-data carries the same fields (no file:
# photos never pass through the API, a partner gives media_url).
FORM_TYPES = ["application/x-www-form-urlencoded", "multipart/form-data"]

blueprint = ApiBlueprint(__name__)


def each_format(name: str, methods=("GET",), **options):
    """Register the view `view(call, fmt)` as `name`.xml and `name`.json."""
    def register(view):
        for fmt in FORMATS:
            def bound(call, fmt=fmt):
                return view(call, fmt)
            bound.__name__ = f"{view.__name__}_{fmt}"
            blueprint.endpoint(f"{PREFIX}/{name}.{fmt}", methods=list(methods), **options)(bound)
        return view
    return register


@each_format("discovery")
def discovery(call, fmt):
    return answer(fmt, "discovery", open311.discovery(call.deps, _language(call)))


@each_format("services")
def services(call, fmt):
    return answer(fmt, "services", open311.services(call.deps, _language(call)))


@blueprint.endpoint(PREFIX + "/services/{code_fmt}", methods=["GET"])
def service_definition(call, code_fmt):
    code, fmt = split_format(code_fmt)
    return answer(fmt, "service_definition", open311.definition(call.deps, code, _language(call)))


@each_format("requests", methods=("POST",), content_types=FORM_TYPES)
def file_request(call, fmt):
    lang = _language(call)
    form = _form(call)
    filed = open311.file_request(call.deps, form, _api_key(call, form), call.header("idempotency-key"), lang)
    return answer(fmt, "service_requests", filed, status=201)


@each_format("requests")
def list_requests(call, fmt):
    return answer(fmt, "service_requests", open311.requests(call.deps, _params(call), _language(call)))


@blueprint.endpoint(PREFIX + "/requests/{id_fmt}", methods=["GET"])
def one_request(call, id_fmt):
    number, fmt = split_format(id_fmt)
    return answer(fmt, "service_requests", open311.request(call.deps, number, _params(call), _language(call)))


@blueprint.endpoint(PREFIX + "/tokens/{token_fmt}", methods=["GET"])
def token(call, token_fmt):
    value, fmt = split_format(token_fmt)
    _language(call)
    return answer(fmt, "service_requests", open311.token(value))


@each_format("servicerequestupdates")
def updates(call, fmt):
    return answer(fmt, "service_request_updates", open311.updates(call.deps, _params(call), _language(call)))


def answer(fmt: str, root: str, data, status: int = 200, headers: dict | None = None) -> Response:
    from . import open311_format

    text, content_type = open311_format.render(fmt, root, data)
    return Response(body=text, status_code=status, headers={**(headers or {}), "Content-Type": content_type})


# --- errors -------------------------------------------------------------------------------

KEPT_STATUSES = (403, 404, 405, 429)


def error_answer(request, response: Response) -> Response:
    """An error answer in the API's shape (api.errors.body) as Open311's: the message
    its description, its status one of the standard's (404 for what does not exist,
    403 for the key, 400 for any other request that cannot be done), in the format
    the path asks for. Too many requests (429), our own failures (5xx) and a method
    the path does not take (405, with its Allow header: HTTP's answer, which clients
    and tools expect whatever the API) keep theirs."""
    status = response.status_code
    if status == 401:
        status = 403
    elif status < 500 and status not in KEPT_STATUSES:
        status = 400
    headers = {name: value for name, value in response.headers.items() if name.lower() != "content-type"}
    return answer(format_of(request), "errors", [{"code": status, "description": response.body["error"]["message"]}],
                  status=status, headers=headers)


def format_of(request) -> str:
    """The format a request's path asks for; XML, the standard's, when it names none."""
    if request.path.endswith(".json"):
        return "json"
    if request.path.endswith(".xml"):
        return "xml"
    last = list((request.uri_params or {}).values())[-1:]
    return _suffix(last[0]) if last else "xml"


def split_format(value: str) -> tuple:
    """("<id>", format) of a path's last segment "<id>.<format>"; NotFound without a known format."""
    name, dot, fmt = value.rpartition(".")
    if not dot or not name or fmt not in FORMATS:
        raise NotFound("not_found")
    return name, fmt


def _suffix(value: str) -> str:
    fmt = value.rpartition(".")[2]
    return fmt if fmt in FORMATS else "xml"


# --- what a request sends ------------------------------------------------------------------------

def _language(call) -> str:
    """Open311's answers (their errors too) speak `locale` if the city does, else the city's language."""
    call.lang = call.deps.city.language(call.query("locale"))
    return call.lang


def _params(call) -> dict:
    """The query string, a repeated parameter's values joined with commas (the standard's
    lists are comma-separated)."""
    params = call.request.query_params
    return {name: ",".join(params.getlist(name)) for name in params} if params else {}


def _api_key(call, form: dict) -> str:
    """The key from the form, the query string or `Authorization: Bearer`."""
    scheme, _, credentials = (call.header("authorization") or "").strip().partition(" ")
    bearer = credentials.strip() if scheme.lower() == "bearer" else ""
    return form.get("api_key") or call.query("api_key") or bearer


def _form(call) -> dict:
    """The POST's fields as text; `attribute[code]=value` and `attribute[code][]=value` under
    "attribute", as {code: text} and {code: [text, ...]}. A repeated field's last value counts."""
    raw = call.request.raw_body or b""
    if len(raw) > MAX_BODY:
        raise errors.TooLarge("too_large", limit=MAX_BODY // 1024)
    content_type = call.header("content-type") or ""
    pairs = _multipart(content_type, raw) if content_type.lower().startswith("multipart/") else _urlencoded(raw)
    form, attributes = {}, {}
    for name, value in pairs:
        code, listed = _attribute(name)
        if code is None:
            form[name] = value
        elif listed:
            attributes.setdefault(code, [])
            if isinstance(attributes[code], list):
                attributes[code].append(value)
        else:
            attributes[code] = value
    form["attribute"] = attributes
    return form


def _attribute(name: str) -> tuple:
    """(code, whether it is one of a list's values) of "attribute[code]" or "attribute[code][]";
    (None, False) for any other field."""
    if not name.startswith("attribute["):
        return None, False
    rest = name[len("attribute["):]
    listed = rest.endswith("][]")
    code = rest[:-3] if listed else rest[:-1] if rest.endswith("]") else ""
    if not code or "[" in code or "]" in code:
        return None, False
    return code, listed


def _urlencoded(raw: bytes) -> list:
    from urllib.parse import parse_qsl

    try:
        return parse_qsl(raw.decode("utf-8"), keep_blank_values=True, errors="strict")
    except (UnicodeDecodeError, ValueError):
        raise InvalidInput("bad_form", field="body") from None


def _multipart(content_type: str, raw: bytes) -> list:
    from email import policy
    from email.parser import BytesParser

    try:
        message = BytesParser(policy=policy.HTTP).parsebytes(
            b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + raw)
        if not message.is_multipart():
            raise ValueError("no parts")
        pairs = []
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            if not isinstance(name, str):
                raise ValueError("a part without a name")
            if part.get_filename() is not None:
                raise InvalidInput("media_upload_refused", field=name)
            content = part.get_payload(decode=True) or b""
            pairs.append((name, content.decode(part.get_content_charset() or "utf-8")))
        return pairs
    except (UnicodeError, ValueError, LookupError):
        raise InvalidInput("bad_form", field="body") from None
