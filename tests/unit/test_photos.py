"""What a stored photo is made of: its type told by its bytes, and the clean copy
drawn again from its pixels (upright, capped, with no EXIF and so no location)."""

import pytest
from PIL import Image

from chalicelib.domain.errors import InvalidInput
from chalicelib.services import photos
from tests import images


@pytest.mark.parametrize("data, kind", [
    (images.jpeg_with_location(), "image/jpeg"),
    (images.png(), "image/png"),
    (images.webp(), "image/webp"),
    (b"GIF89a" + b"\0" * 20, None),
    (b"%PDF-1.7 not a photo", None),
    (b"", None),
])
def test_a_photo_type_is_told_by_its_first_bytes(data, kind):
    assert photos.sniff(data) == kind


def test_the_clean_copy_of_a_phone_photo_has_no_location_no_exif_and_stands_upright():
    original = images.jpeg_with_location(width=32, height=24)
    assert images.location_of(original)

    clean = photos._reencoded(original, "image/jpeg")

    assert photos.sniff(clean) == "image/jpeg"
    assert images.location_of(clean) == {} and images.exif_of(clean) == {}
    # Orientation 6 is a quarter turn: the landscape pixels become a portrait photo.
    assert images.size_of(clean) == (24, 32)


def test_a_huge_photo_is_shrunk_to_at_most_the_longest_side_allowed():
    clean = photos._reencoded(images.encode(Image.new("RGB", (5000, 1000)), "PNG"), "image/png")
    assert images.size_of(clean) == (photos.MAX_SIDE, photos.MAX_SIDE // 5)


@pytest.mark.parametrize("data, claimed", [
    (b"\xff\xd8\xff" + b"not really a jpeg", "image/jpeg"),
    (images.png()[:40], "image/png"),
])
def test_bytes_that_only_begin_like_a_photo_are_no_photo(data, claimed):
    with pytest.raises(InvalidInput) as refused:
        photos._reencoded(data, claimed)
    assert refused.value.message_id == "photo_not_image"


def test_the_photo_store_is_chosen_in_the_settings_and_s3_needs_its_bucket():
    from chalicelib.settings import Settings

    chosen = Settings.from_env({"CITYDESK_SECRET": "s", "CITYDESK_PHOTOS": "s3", "CITYDESK_PHOTO_BUCKET": "b"})
    assert (chosen.photos, chosen.photo_bucket) == ("s3", "b")
    assert Settings.from_env({"CITYDESK_SECRET": "s"}).photos == "local"
    for wrong in ({"photos": "s3"}, {"photos": "ftp"}):
        with pytest.raises(ValueError):
            Settings(secret="s", **wrong)
