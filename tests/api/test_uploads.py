"""POST /api/uploads: the form a resident's browser posts one photo with, straight to
the photo store. Locally the local server takes that POST and checks the signed form
itself (size, type, key, expiry); on AWS, S3 checks the presigned POST's policy, so
the policy is what is tested (moto stores a POST without checking it)."""

import base64
import http.client
import json
import threading
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from http.server import ThreadingHTTPServer

import pytest
from moto import mock_aws

from chalicelib import bootstrap
from chalicelib.adapters.photos import S3Photos, create_bucket
from chalicelib.services.photos import MAX_BYTES
from chalicelib.settings import Settings
from local.server import Api as LocalApi, handler_class
from tests import images
from tests.api.client import Api

JPEG = {"content_type": "image/jpeg", "size": 200_000, "filename": "pipe.jpg"}
KEY = r"uploads/{}/[0-9a-f]{{32}}\.{}"
REGION = "eu-central-1"
BUCKET = "citydesk-test-photos"


def form_for(api, cookie, **changes) -> dict:
    asked = api.post("/api/uploads", {**JPEG, **changes}, headers=cookie)
    assert asked.status_code == 201, asked.body
    return api.json(asked)


def resident_id(api, cookie) -> str:
    return api.json(api.get("/api/me", headers=cookie))["id"]


def test_a_signed_in_resident_gets_a_form_for_one_key_under_their_own_uploads(api):
    cookie = api.sign_in()
    form = form_for(api, cookie, content_type="image/png", filename="leak.png")
    assert sorted(form) == ["fields", "key", "url"]
    assert form["key"].startswith(f"uploads/{resident_id(api, cookie)}/") and form["key"].endswith(".png")
    assert form["url"] == "/local-uploads"
    assert form["fields"]["key"] == form["key"] and form["fields"]["Content-Type"] == "image/png"


def test_without_signing_in_there_is_no_upload_form(api):
    answer = api.post("/api/uploads", JPEG)
    assert answer.status_code == 401


@pytest.mark.parametrize("what, changes, code", [
    ("a text file", {"content_type": "text/plain"}, "photo_not_image"),
    ("a GIF", {"content_type": "image/gif"}, "photo_not_image"),
    ("no type", {"content_type": None}, "photo_not_image"),
    ("a type that is an object", {"content_type": {}}, "photo_not_image"),
    ("a type that is a list", {"content_type": ["image/jpeg"]}, "photo_not_image"),
    ("a photo over 10 MB", {"size": MAX_BYTES + 1}, "photo_too_large"),
    ("an empty file", {"size": 0}, "must_be_positive_whole_number"),
    ("a size in words", {"size": "12"}, "must_be_positive_whole_number"),
    ("a size that is true", {"size": True}, "must_be_positive_whole_number"),
    ("a file name over 200 characters", {"filename": "a" * 201}, "too_long"),
])
def test_a_form_for_anything_but_a_photo_up_to_10_mb_is_refused(api, what, changes, code):
    cookie = api.sign_in()
    answer = api.post("/api/uploads", {**JPEG, **changes}, headers=cookie)
    assert answer.status_code == 422
    assert api.error(answer)["code"] == code


def test_a_resident_gets_at_most_30_forms_an_hour(api, clock):
    cookie = api.sign_in()
    for _ in range(30):
        form_for(api, cookie)
    refused = api.post("/api/uploads", JPEG, headers=cookie)
    assert refused.status_code == 429 and api.error(refused)["code"] == "too_many_uploads"
    clock.advance(timedelta(hours=1))
    form_for(api, cookie)


def test_the_uploads_limit_is_read_from_the_environment_and_must_be_positive():
    assert Settings.from_env({"CITYDESK_SECRET": "s", "CITYDESK_UPLOADS_PER_HOUR": "500"}).uploads_per_hour == 500
    assert Settings.from_env({"CITYDESK_SECRET": "s"}).uploads_per_hour == 30
    with pytest.raises(ValueError, match="CITYDESK_UPLOADS_PER_HOUR"):
        Settings.from_env({"CITYDESK_SECRET": "s", "CITYDESK_UPLOADS_PER_HOUR": "0"})


# The local backend: the real local server's handler, on a free port in this process.

@pytest.fixture
def local_server(api, tmp_path):
    from app import app

    server = ThreadingHTTPServer(("127.0.0.1", 0), handler_class(LocalApi(app), tmp_path))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


def multipart(fields: dict, file: bytes, boundary: str = "----citydesk-test") -> tuple:
    """(body, Content-Type) of a form as a browser's FormData sends it: the fields, then the file."""
    lines = []
    for name, value in fields.items():
        lines += [f"--{boundary}".encode(), f'Content-Disposition: form-data; name="{name}"'.encode(), b"",
                  value.encode()]
    lines += [f"--{boundary}".encode(), b'Content-Disposition: form-data; name="file"; filename="photo.jpg"',
              b"Content-Type: image/jpeg", b"", file, f"--{boundary}--".encode(), b""]
    return b"\r\n".join(lines), f"multipart/form-data; boundary={boundary}"


def post_form(port: int, form: dict, file: bytes, **changed_fields) -> tuple:
    """(status, error code or None) of posting `file` with the form to the local server."""
    body, content_type = multipart({**form["fields"], **changed_fields}, file)
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("POST", form["url"], body=body, headers={"Content-Type": content_type})
    answer = connection.getresponse()
    content = answer.read()
    connection.close()
    return answer.status, json.loads(content)["error"]["code"] if content else None


def test_the_local_server_stores_a_photo_posted_with_its_form_and_answers_204_like_s3(api, local_server):
    form = form_for(api, api.sign_in())
    photo = images.jpeg_with_location()
    assert post_form(local_server, form, photo) == (204, None)
    assert api.deps.photos.head(form["key"]) == (len(photo), "image/jpeg")
    assert api.deps.photos.read(form["key"]) == photo


def test_the_local_server_refuses_a_body_over_10_mb_by_its_length_before_reading_it(api, local_server):
    form = form_for(api, api.sign_in())
    connection = http.client.HTTPConnection("127.0.0.1", local_server, timeout=30)
    connection.putrequest("POST", form["url"])
    connection.putheader("Content-Type", "multipart/form-data; boundary=x")
    connection.putheader("Content-Length", str(11 * 1024 * 1024))
    connection.endheaders()
    # Not a byte of the body is sent: the answer comes from the length alone.
    answer = connection.getresponse()
    assert answer.status == 413
    assert json.loads(answer.read())["error"]["code"] == "photo_too_large"
    connection.close()
    assert api.deps.photos.head(form["key"]) is None


def test_the_local_server_refuses_a_file_of_10_mb_and_one_byte(api, local_server):
    form = form_for(api, api.sign_in())
    assert post_form(local_server, form, b"\xff\xd8\xff" + b"\0" * (MAX_BYTES - 2)) == (422, "photo_too_large")
    assert api.deps.photos.head(form["key"]) is None


def test_the_local_server_refuses_a_non_image_type(api, local_server):
    form = form_for(api, api.sign_in())
    assert post_form(local_server, form, b"just text", **{"Content-Type": "text/plain"}) == (422, "photo_not_image")
    assert api.deps.photos.head(form["key"]) is None


@pytest.mark.parametrize("field, value", [
    ("key", "uploads/someone-else/0123456789abcdef0123456789abcdef.jpg"),
    ("Content-Type", "image/png"),
    ("x-max-bytes", str(100 * MAX_BYTES)),
    ("x-expires", "9999999999"),
    ("x-signature", "0" * 64),
])
def test_the_local_server_refuses_a_form_with_a_field_changed(api, local_server, field, value):
    form = form_for(api, api.sign_in())
    assert post_form(local_server, form, images.jpeg_with_location(), **{field: value}) == (403, "upload_not_allowed")
    assert api.deps.photos.head(form["key"]) is None


def test_the_local_server_refuses_a_form_after_its_10_minutes(api, local_server, clock):
    form = form_for(api, api.sign_in())
    clock.advance(timedelta(minutes=10, seconds=1))
    assert post_form(local_server, form, images.jpeg_with_location()) == (403, "upload_expired")


def test_the_local_server_shows_a_photo_only_through_an_unexpired_signed_link(api, local_server, clock):
    api.deps.photos.write("photos/a.jpg", b"\xff\xd8\xffphoto", "image/jpeg")
    url = api.deps.photos.signed_url("photos/a.jpg", timedelta(minutes=5))

    def get(path):
        connection = http.client.HTTPConnection("127.0.0.1", local_server, timeout=30)
        connection.request("GET", path)
        answer = connection.getresponse()
        content = answer.read()
        connection.close()
        return answer.status, answer.getheader("Content-Type"), content

    assert get(url) == (200, "image/jpeg", b"\xff\xd8\xffphoto")
    assert get(url.replace("sig=", "sig=0"))[0] == 404
    assert get(url.replace("a.jpg", "b.jpg"))[0] == 404
    clock.advance(timedelta(minutes=5, seconds=1))
    assert get(url)[0] == 404


# The S3 backend (moto): the presigned POST's policy is what S3 enforces.

@pytest.fixture
def s3_api(settings, clock, sms, email, monkeypatch):
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.setenv(name, "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    # S3 checks the expiry by its own clock: the injected one stands at the real time here.
    clock.set(datetime.now(timezone.utc))
    with mock_aws():
        from chalice.test import Client

        from app import app

        create_bucket(BUCKET, REGION)
        deps = bootstrap.build(replace(settings, photos="s3", photo_bucket=BUCKET, region=REGION),
                               clock=clock, sms=sms, email=email)
        bootstrap.override(deps)
        with Client(app) as client:
            yield Api(client, deps, sms)
        bootstrap.reset()


def test_the_s3_form_is_a_presigned_post_whose_policy_holds_the_size_type_key_and_10_minutes(s3_api, clock):
    form = form_for(s3_api, s3_api.sign_in(), content_type="image/webp")
    assert isinstance(s3_api.deps.photos, S3Photos)
    assert form["url"].startswith("https://") and BUCKET in form["url"]
    fields = form["fields"]
    assert fields["key"] == form["key"] and fields["Content-Type"] == "image/webp"
    assert {"policy", "x-amz-signature", "x-amz-credential", "x-amz-algorithm", "x-amz-date"} <= set(fields)

    policy = json.loads(base64.b64decode(fields["policy"]))
    conditions = policy["conditions"]
    assert ["content-length-range", 1, 10 * 1024 * 1024] in conditions
    assert {"Content-Type": "image/webp"} in conditions
    assert {"key": form["key"]} in conditions
    assert {"bucket": BUCKET} in conditions
    expires = datetime.strptime(policy["expiration"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
    assert abs(expires - (clock.now() + timedelta(minutes=10))) < timedelta(seconds=30)
