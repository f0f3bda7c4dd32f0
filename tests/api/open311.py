"""Open311 as the tests use it: a partner's key, forms posted as a partner's system
posts them, and answers read back from either format."""

import json
from urllib.parse import urlencode
from xml.etree import ElementTree

from chalicelib.services import open311_keys

BASE = "/api/open311/v2"
FORM = "application/x-www-form-urlencoded"
ADDRESS = "проспект Дмитра Яворницького, 8, Дніпро"
DESCRIPTION = "No pressure on the fifth floor since Friday; neighbours in flat 14 too."


def partner_key(deps, name="Dnipro city app") -> str:
    """A live key's plain value, made as the staff page makes it."""
    return open311_keys.create(deps, name)[1]


def filing(**changes) -> dict:
    """The fields of a request that files, any replaced (None leaves one out)."""
    fields = {"service_code": "water.low-pressure", "address_string": ADDRESS, "description": DESCRIPTION,
              "attribute[entrance]": "2", "attribute[flat]": "14", **changes}
    return {name: value for name, value in fields.items() if value is not None}


def post(api, fields, fmt="json", query="", headers=None, raw=None):
    body = raw if raw is not None else urlencode(fields).encode()
    return api.client.http.post(f"{BASE}/requests.{fmt}{query}", body=body,
                                headers={"Content-Type": FORM, **(headers or {})})


def file(api, key, fmt="json", **changes) -> str:
    """The number of a request filed with `key`."""
    answer = post(api, {"api_key": key, **filing(**changes)}, fmt)
    assert answer.status_code == 201, answer.body
    return read(answer)[0]["service_request_id"]


def get(api, path: str):
    return api.client.http.get(f"{BASE}/{path}")


def read(answer):
    """The answer's data: JSON as it is; XML as the list of its root's children, each a
    dict of its fields' texts (enough for the flat records tests read that way)."""
    if answer.headers["Content-Type"].startswith("application/json"):
        return json.loads(answer.body)
    return [{field.tag: field.text for field in child} for child in ElementTree.fromstring(answer.body)]


def errors(answer) -> list:
    """[(code, description)] of an error answer, after checking it has the standard's shape."""
    data = read(answer)
    assert isinstance(data, list) and data, answer.body
    assert all(sorted(error) == ["code", "description"] and error["description"] for error in data), data
    return [(error["code"], error["description"]) for error in data]
