"""Photos residents (and staff, with a command) attach to a ticket: the upload
form they get, the checks and the clean copy when a ticket names them, and the
short-lived links that show them.

The browser uploads straight to the photo store under "uploads/<uploader's id>/";
nothing of what arrived there is trusted. `attach` checks each upload again (the
store's own checks may be none: moto's presigned POST ignores its policy), then
stores a re-encoded copy under "photos/" without EXIF (no location) and removes
the upload.
"""

import io
import re
import uuid
from datetime import timedelta

from ..domain import fields
from ..domain.errors import InvalidInput
from ..domain.ticket import Actor
from . import limits, permissions

MAX_BYTES = 10 * 1024 * 1024
MAX_MB = MAX_BYTES // (1024 * 1024)
# The types a photo may have, the key's extension for each, and how its bytes begin.
TYPES = {"image/jpeg": "jpg", "image/png": "png", "image/webp": "webp"}
PILLOW_FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP"}
MAX_PHOTOS = 3
MAX_FILENAME = 200
UPLOAD_TTL = timedelta(minutes=10)
VIEW_TTL = timedelta(minutes=5)
# The browser shrinks photos to 2 megapixels; one sent around it is shrunk here.
MAX_SIDE = 2560
# Decoding is refused beyond this: a small file may claim a vast image.
MAX_PIXELS = 50_000_000
JPEG_QUALITY = 85


def upload_form(deps, owner: Actor, body: dict) -> dict:
    """{"key", "url", "fields"}: where and how the browser of `owner` (a resident
    or a staff member) uploads one photo, under "uploads/<owner's id>/"."""
    permissions.check(owner, "upload_photo")
    content_type = body.get("content_type")
    if not isinstance(content_type, str) or content_type not in TYPES:
        raise InvalidInput("photo_not_image", field="content_type")
    size = body.get("size")
    if type(size) is not int or size < 1:
        raise InvalidInput("must_be_positive_whole_number", field="size")
    if size > MAX_BYTES:
        raise InvalidInput("photo_too_large", field="size", limit=MAX_MB)
    fields.text(body.get("filename"), "filename", required=False, limit=MAX_FILENAME)
    limits.count_within_limit(deps, f"uploads:{owner.id}", deps.settings.uploads_per_hour, deps.clock.now(),
                              "too_many_uploads")
    key = f"uploads/{owner.id}/{uuid.uuid4().hex}.{TYPES[content_type]}"
    # The size declared only sets the file apart from a non-photo: the form takes any size up to the limit.
    form = deps.photos.upload_form(key, content_type, MAX_BYTES, UPLOAD_TTL)
    return {"key": key, "url": form["url"], "fields": form["fields"]}


def attach(deps, owner_id: str, keys) -> tuple:
    """The keys of clean copies of the photos `owner_id` uploaded under `keys`
    (None or [] for none, at most MAX_PHOTOS), stored under "photos/"; the uploads
    are removed. Every photo is checked before anything is written: InvalidInput
    for any wrong one, and then nothing is stored.

    The copies are written before the caller's ticket write: if that write fails,
    they stay as orphans no ticket names (the uploads are gone; the bucket's
    lifecycle rule clears "uploads/" only)."""
    if keys is None:
        return ()
    if not isinstance(keys, list):
        raise InvalidInput("photo_missing", field="photos")
    keys = list(dict.fromkeys(keys)) if all(isinstance(key, str) for key in keys) else keys
    if len(keys) > MAX_PHOTOS:
        raise InvalidInput("too_many_photos", field="photos", limit=MAX_PHOTOS)
    cleaned = [(key, *_clean(deps, owner_id, key)) for key in keys]
    stored = []
    for key, data, content_type in cleaned:
        stored_key = f"photos/{uuid.uuid4().hex}.{TYPES[content_type]}"
        deps.photos.write(stored_key, data, content_type)
        stored.append(stored_key)
    for key, _, _ in cleaned:
        deps.photos.delete(key)
    return tuple(stored)


def links(deps, keys) -> list:
    """[{"url"}] showing each stored photo for a few minutes: only for those who may see the ticket."""
    return [{"url": deps.photos.signed_url(key, VIEW_TTL)} for key in keys]


def sniff(data: bytes) -> str | None:
    """The photo type the bytes really are, by their first bytes; None for anything else."""
    if data.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


def _clean(deps, owner_id: str, key) -> tuple:
    """(clean bytes, content type) of one upload, or InvalidInput."""
    if not isinstance(key, str):
        raise InvalidInput("photo_missing", field="photos")
    if not re.fullmatch(rf"uploads/{re.escape(owner_id)}/[0-9a-f]{{32}}\.(?:jpg|png|webp)", key):
        raise InvalidInput("photo_not_yours", field="photos")
    found = deps.photos.head(key)
    if found is None:
        raise InvalidInput("photo_missing", field="photos")
    size, declared = found
    if size > MAX_BYTES:
        raise InvalidInput("photo_too_large", field="photos", limit=MAX_MB)
    data = deps.photos.read(key)
    content_type = sniff(data)
    if content_type is None or content_type != declared or not key.endswith("." + TYPES[content_type]):
        raise InvalidInput("photo_not_image", field="photos")
    return _reencoded(data, content_type), content_type


def _reencoded(data: bytes, content_type: str) -> bytes:
    """The image drawn again from its pixels: upright (the EXIF orientation applied),
    at most MAX_SIDE a side, with no EXIF, XMP or comments left."""
    # Imported here: Pillow is heavy, and only filing with photos needs it.
    from PIL import Image, ImageOps, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data), formats=[PILLOW_FORMATS[content_type]]) as image:
            if image.width * image.height > MAX_PIXELS:
                raise InvalidInput("photo_too_large", field="photos", limit=MAX_MB)
            if content_type == "image/jpeg":
                # Decoded at the smallest scale that still covers MAX_SIDE (a half, a quarter,
                # an eighth): a phone's 50-megapixel photo then never sits in memory whole.
                image.draft("RGB", (MAX_SIDE, MAX_SIDE))
            # Made small first, then turned: turning copies the pixels.
            image.thumbnail((MAX_SIDE, MAX_SIDE))
            upright = ImageOps.exif_transpose(image)
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError, ValueError):
        raise InvalidInput("photo_not_image", field="photos") from None
    mode = "RGB" if content_type == "image/jpeg" else "RGBA"
    # A new image of the same pixels carries none of the original's metadata.
    clean = Image.new(mode, upright.size)
    clean.paste(upright.convert(mode))
    out = io.BytesIO()
    clean.save(out, format=PILLOW_FORMATS[content_type], **({"quality": JPEG_QUALITY}
                                                             if content_type != "image/png" else {}))
    return out.getvalue()
