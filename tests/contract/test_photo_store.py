"""The photo store port, once per backend: local files and S3 (under moto)."""

from datetime import timedelta

import pytest
from moto import mock_aws

from chalicelib.adapters.clock import FixedClock
from chalicelib.adapters.photos import LocalPhotos, S3Photos, create_bucket
from chalicelib.domain.errors import NotFound
from tests.builders import NOW
from tests.aws import FAKE_AWS_ENV, REGION

BUCKET = "contract-photos"
KEY = "uploads/r1/0123456789abcdef0123456789abcdef.jpg"


@pytest.fixture(params=["local", "s3"])
def photos(request, tmp_path, monkeypatch):
    if request.param == "local":
        yield LocalPhotos(str(tmp_path / "photos"), "secret", FixedClock(NOW))
        return
    for name, value in FAKE_AWS_ENV.items():
        monkeypatch.setenv(name, value)
    with mock_aws():
        create_bucket(BUCKET, REGION)
        yield S3Photos(BUCKET, REGION)


def test_a_written_photo_is_read_back_with_its_size_and_type_until_deleted(photos):
    photos.write(KEY, b"\xff\xd8\xffjpeg", "image/jpeg")
    assert photos.head(KEY) == (7, "image/jpeg")
    assert photos.read(KEY) == b"\xff\xd8\xffjpeg"
    photos.delete(KEY)
    assert photos.head(KEY) is None


def test_a_missing_photo_has_no_head_cannot_be_read_and_deletes_quietly(photos):
    assert photos.head(KEY) is None
    with pytest.raises(NotFound):
        photos.read(KEY)
    photos.delete(KEY)


def test_an_upload_form_names_its_url_key_and_content_type(photos):
    form = photos.upload_form(KEY, "image/png", 10 * 1024 * 1024, timedelta(minutes=10))
    assert form["url"] and form["fields"]["key"] == KEY and form["fields"]["Content-Type"] == "image/png"


def test_a_signed_link_names_the_photo(photos):
    photos.write(KEY, b"\x89PNG\r\n\x1a\n", "image/png")
    assert KEY in photos.signed_url(KEY, timedelta(minutes=5))
