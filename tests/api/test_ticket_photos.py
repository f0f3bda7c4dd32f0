"""Photos named when filing: each checked again (it is the resident's, it arrived,
it fits, its bytes are the photo it claims to be), stored as a clean copy without
EXIF, and shown only to the reporter through short-lived links. The same tests on
both photo stores: local files and S3 (under moto)."""

from pathlib import Path

import boto3
import pytest
from moto import mock_aws

from chalicelib import bootstrap
from chalicelib.adapters.photos import LocalPhotos, S3Photos, create_bucket
from tests import images
from tests.api.client import ticket

REGION = "eu-central-1"
BUCKET = "citydesk-test-photos"
OTHER_PHONE = "067 765 43 21"


class LocalFiles:
    def __init__(self, directory: Path, secret: str, clock):
        self.directory = directory
        self.store = LocalPhotos(str(directory), secret, clock)

    def keys(self) -> list:
        return sorted(str(path.relative_to(self.directory)) for path in self.directory.rglob("*")
                      if path.is_file() and not path.name.endswith(".type"))


class Bucket:
    def __init__(self):
        create_bucket(BUCKET, REGION)
        self.store = S3Photos(BUCKET, REGION)

    def keys(self) -> list:
        found = boto3.client("s3", region_name=REGION).list_objects_v2(Bucket=BUCKET).get("Contents", [])
        return sorted(item["Key"] for item in found)


@pytest.fixture(params=["local", "s3"])
def photo_store(request, tmp_path, settings, clock, monkeypatch):
    if request.param == "local":
        yield LocalFiles(tmp_path / "photos", settings.secret, clock)
        return
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.setenv(name, "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", REGION)
    with mock_aws():
        yield Bucket()


@pytest.fixture
def deps(settings, clock, sms, email, photo_store):
    return bootstrap.build(settings, clock=clock, sms=sms, email=email, photos=photo_store.store)


def uploaded(api, cookie, data: bytes, content_type: str = "image/jpeg") -> str:
    """The key of a photo the resident's browser uploaded with the form the API gave
    (written straight to the store: the forms themselves are tested in test_uploads)."""
    asked = api.post("/api/uploads", {"content_type": content_type, "size": len(data), "filename": "p"},
                     headers=cookie)
    assert asked.status_code == 201, asked.body
    key = api.json(asked)["key"]
    api.deps.photos.write(key, data, content_type)
    return key


def test_a_filed_photo_is_kept_as_a_copy_without_its_location_and_the_upload_is_gone(api, photo_store):
    cookie = api.sign_in()
    key = uploaded(api, cookie, images.jpeg_with_location())

    filed = api.post("/api/tickets", ticket(photos=[key]), headers=cookie)

    assert filed.status_code == 201, filed.body
    stored = api.deps.storage.tickets.get(api.json(filed)["id"]).photos
    assert len(stored) == 1 and stored[0].startswith("photos/") and stored[0].endswith(".jpg")
    assert photo_store.keys() == [stored[0]]
    clean = api.deps.photos.read(stored[0])
    assert images.location_of(clean) == {} and images.exif_of(clean) == {}
    assert images.size_of(clean) == (24, 32)


def test_three_photos_of_each_type_are_filed_in_their_order(api, photo_store):
    cookie = api.sign_in()
    keys = [uploaded(api, cookie, images.png(), "image/png"), uploaded(api, cookie, images.webp(), "image/webp"),
            uploaded(api, cookie, images.jpeg_with_location())]
    filed = api.post("/api/tickets", ticket(photos=keys), headers=cookie)
    assert filed.status_code == 201, filed.body
    stored = api.deps.storage.tickets.get(api.json(filed)["id"]).photos
    assert [key.rsplit(".", 1)[1] for key in stored] == ["png", "webp", "jpg"]
    assert photo_store.keys() == sorted(stored)


BAD_PHOTOS = {
    "a PNG named as a JPEG": (lambda api, cookie: [uploaded(api, cookie, images.png())], "photo_not_image"),
    "a JPEG uploaded as a PNG": (lambda api, cookie: [uploaded(api, cookie, images.jpeg_with_location(),
                                                               "image/png")], "photo_not_image"),
    "a text file": (lambda api, cookie: [uploaded(api, cookie, b"call me on 050 123 45 67")], "photo_not_image"),
    "a key never uploaded": (lambda api, cookie: [uploaded(api, cookie, images.png(), "image/png")[:-36]
                                                  + "0" * 32 + ".png"], "photo_missing"),
    "someone else's photo": (lambda api, cookie: [uploaded(api, api.sign_in(OTHER_PHONE), images.png(),
                                                           "image/png")], "photo_not_yours"),
    "a path out of the uploads": (lambda api, cookie: ["uploads/../photos/x.jpg"], "photo_not_yours"),
    "four photos": (lambda api, cookie: [uploaded(api, cookie, images.png(), "image/png") for _ in range(4)],
                    "too_many_photos"),
    "a key that is a number": (lambda api, cookie: [7], "photo_missing"),
    "photos that are no list": (lambda api, cookie: "uploads/a.jpg", "photo_missing"),
}


@pytest.mark.parametrize("what", BAD_PHOTOS)
def test_a_ticket_with_a_wrong_photo_is_refused_and_nothing_is_written(api, photo_store, what):
    make, code = BAD_PHOTOS[what]
    cookie = api.sign_in()
    # A good photo beside the wrong one: it must not be stored either.
    good = uploaded(api, cookie, images.jpeg_with_location())
    wrong = make(api, cookie)
    photos = [good, *wrong] if isinstance(wrong, list) and len(wrong) < 3 else wrong
    before, stored_before = api.snapshot(), photo_store.keys()

    refused = api.post("/api/tickets", ticket(photos=photos), headers=cookie)

    assert refused.status_code == 422, refused.body
    assert api.error(refused)["code"] == code
    assert api.snapshot() == before and photo_store.keys() == stored_before


def test_a_ticket_refused_for_another_field_stores_no_photo(api, photo_store):
    cookie = api.sign_in()
    key = uploaded(api, cookie, images.jpeg_with_location())
    refused = api.post("/api/tickets", ticket(photos=[key], cause="no.such-cause"), headers=cookie)
    assert refused.status_code == 422
    assert photo_store.keys() == [key]


def test_the_reporter_sees_the_photos_as_short_lived_links_and_nobody_else_sees_them(api, photo_store):
    cookie = api.sign_in()
    filed = api.json(api.post("/api/tickets", ticket(photos=[uploaded(api, cookie, images.png(), "image/png")]),
                              headers=cookie))
    stored = api.deps.storage.tickets.get(filed["id"]).photos[0]

    mine = api.json(api.get(f"/api/tickets/{filed['id']}", headers=cookie))
    assert [sorted(photo) for photo in mine["photos"]] == [["url"]]
    url = mine["photos"][0]["url"]
    assert stored in url and ("X-Amz-Expires=300" in url or "exp=" in url)

    other = api.get(f"/api/tickets/{filed['id']}", headers=api.sign_in(OTHER_PHONE))
    assert other.status_code == 404
    public = api.get(f"/api/public/tickets/{filed['number']}")
    assert public.status_code == 200
    assert "photos" not in api.json(public) and stored not in public.body.decode()
