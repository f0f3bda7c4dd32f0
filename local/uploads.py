"""The photo routes of the local server. With the local photo store it stands in
for S3: the upload form's POST (checked as S3 checks a presigned POST's policy, by
chalicelib.adapters.photos.LocalPhotos) and the signed links that show a photo;
errors answer in the API's shape. With S3 on a moto server, it forwards
LOCAL_S3_URL to moto, so that browsers reach the bucket on the site's own origin.
"""

import email.message
import http.client
import json
import re
from types import SimpleNamespace
from urllib.parse import parse_qs, unquote, urlsplit

from chalicelib import bootstrap
from chalicelib.adapters.photos import LOCAL_PHOTO_URL, LOCAL_UPLOAD_URL, LocalPhotos
from chalicelib.api.errors import answer_for, body as error_body
from chalicelib.api.language import requested_language
from chalicelib.domain.errors import DomainError
from chalicelib.services.photos import MAX_BYTES, MAX_MB, TYPES

# Room for the form's other fields and the multipart framing around the file.
FORM_OVERHEAD = 16 * 1024
NAME = re.compile(rb'\bname="([^"]*)"')
LOCAL_S3_URL = "/local-s3"
# What a browser needs of moto's answer.
FORWARDED_HEADERS = ("Content-Type", "ETag", "Last-Modified")


def handles(path: str) -> bool:
    return path == LOCAL_UPLOAD_URL or path.startswith((LOCAL_PHOTO_URL, LOCAL_S3_URL + "/"))


def answer(method: str, target: str, headers, body_file):
    """(status, [(header, value)], body bytes) for a request `handles` takes; the
    body is read from `body_file` only once its declared length is known to fit."""
    url = urlsplit(target)
    deps = bootstrap.deps()
    lang = requested_language(SimpleNamespace(query_params={k: v[-1] for k, v in parse_qs(url.query).items()},
                                              headers={name.lower(): value for name, value in headers.items()}),
                              deps.city)
    store = deps.photos
    if url.path.startswith(LOCAL_S3_URL + "/") and deps.settings.s3_endpoint:
        return _forward(method, target[len(LOCAL_S3_URL):], headers, body_file, deps.settings.s3_endpoint, lang)
    if not isinstance(store, LocalPhotos):
        return _error(error_body(404, "not_found", lang))
    if url.path == LOCAL_UPLOAD_URL and method == "POST":
        return _upload(store, headers, body_file, lang)
    if url.path.startswith(LOCAL_PHOTO_URL) and method in ("GET", "HEAD"):
        query = parse_qs(url.query)
        found = store.viewable(unquote(url.path[len(LOCAL_PHOTO_URL):]), query.get("exp", [""])[-1],
                               query.get("sig", [""])[-1])
        if found is None:
            return _error(error_body(404, "not_found", lang))
        data, content_type = found
        return 200, [("Content-Type", content_type), ("Cache-Control", "private, no-store"),
                     ("X-Content-Type-Options", "nosniff")], data
    return _error(error_body(405, "method_not_allowed", lang))


def _upload(store: LocalPhotos, headers, body_file, lang: str):
    length = headers.get("Content-Length") or ""
    if not length.isdigit():
        return _error(error_body(400, "bad_request", lang))
    if int(length) > MAX_BYTES + FORM_OVERHEAD:
        # Refused before a byte of it is read; the connection closes with the body unread.
        return _error(error_body(413, "photo_too_large", lang, limit=MAX_MB), close=True)
    parts = form_parts(headers.get("Content-Type") or "", body_file.read(int(length)))
    if parts is None:
        return _error(error_body(400, "bad_request", lang))
    file = parts.pop("file", b"")
    try:
        store.receive({name: value.decode("utf-8", "replace") for name, value in parts.items()}, file, TYPES)
    except DomainError as error:
        return _error(answer_for(error, lang))
    # What S3 answers a presigned POST by default.
    return 204, [], b""


def _forward(method: str, target: str, headers, body_file, endpoint: str, lang: str):
    length = headers.get("Content-Length") or "0"
    if not length.isdigit():
        return _error(error_body(400, "bad_request", lang))
    if int(length) > MAX_BYTES + FORM_OVERHEAD:
        return _error(error_body(413, "photo_too_large", lang, limit=MAX_MB), close=True)
    moto = urlsplit(endpoint)
    connection = http.client.HTTPConnection(moto.hostname, moto.port, timeout=30)
    try:
        connection.request(method, target, body=body_file.read(int(length)) if int(length) else None,
                           headers={"Content-Type": headers.get("Content-Type") or "application/octet-stream"})
        answer = connection.getresponse()
        content = answer.read()
    finally:
        connection.close()
    return answer.status, [(name, answer.getheader(name)) for name in FORWARDED_HEADERS if answer.getheader(name)], \
        content


def form_parts(content_type: str, body: bytes) -> dict | None:
    """The parts of a multipart/form-data body by field name; None if it is none.
    (The cgi module that parsed these is gone from Python 3.13.)"""
    header = email.message.Message()
    header["Content-Type"] = content_type
    boundary = header.get_param("boundary")
    if header.get_content_type() != "multipart/form-data" or not isinstance(boundary, str) or not boundary:
        return None
    parts = {}
    for chunk in body.split(b"--" + boundary.encode())[1:]:
        if chunk.startswith(b"--"):
            return parts
        head, separator, value = chunk.partition(b"\r\n\r\n")
        name = NAME.search(head)
        if not separator or name is None or not value.endswith(b"\r\n"):
            return None
        parts[name.group(1).decode("utf-8", "replace")] = value[:-2]
    # No closing delimiter: the body was cut short.
    return None


def _error(response, close: bool = False):
    headers = [("Content-Type", "application/json"), ("Cache-Control", "no-store")]
    if close:
        headers.append(("Connection", "close"))
    return response.status_code, headers, json.dumps(response.body, ensure_ascii=False).encode("utf-8")
