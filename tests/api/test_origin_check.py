"""On AWS the API answers only what the distribution passed on: CloudFront adds the
origin header (infra/template.json), the API function checks it (CITYDESK_ORIGIN_CHECK).
The HTTP API's own address is public too, and a caller there could otherwise claim any
CloudFront-Viewer-Address and so any number of callers for the per-caller limits."""

from dataclasses import replace

import pytest

from chalicelib import bootstrap
from chalicelib.api.http import ORIGIN_HEADER, origin_token
from tests.api.client import PHONE


@pytest.fixture
def checked(deps):
    bootstrap.override(replace(deps, settings=replace(deps.settings, origin_check=True)))


def test_a_request_without_the_origin_header_is_refused_and_changes_nothing(api, checked):
    before = api.snapshot()
    answer = api.post("/api/auth/phone?lang=en", {"phone": PHONE},
                      headers={"CloudFront-Viewer-Address": "198.51.100.7:443"})
    assert answer.status_code == 403
    assert api.json(answer) == {"error": {"code": "forbidden", "message": "You are not allowed to do this."}}
    assert api.snapshot() == before and api.sms.sent == []


def test_a_wrong_origin_header_is_refused(api, checked):
    wrong = origin_token("another deployment's key")
    assert api.get("/api/health", headers={ORIGIN_HEADER: wrong}).status_code == 403
    assert api.get("/api/health", headers={ORIGIN_HEADER: ""}).status_code == 403


def test_what_the_distribution_passes_on_is_answered(api, deps, checked):
    answer = api.post("/api/auth/phone", {"phone": PHONE}, headers={ORIGIN_HEADER: origin_token(deps.settings.secret)})
    assert answer.status_code == 200 and len(api.sms.sent) == 1


def test_without_the_setting_no_header_is_asked_for(api):
    assert api.get("/api/health").status_code == 200


def test_the_origin_token_is_the_signing_keys_own_and_no_key_itself():
    assert origin_token("k1") == origin_token("k1") != origin_token("k2")
    assert "k1" not in origin_token("k1") and len(origin_token("k1")) == 64
