"""Photo stores: a private S3 bucket (browsers upload with a presigned POST), and
files under a local directory with an HMAC-signed form the local server checks
itself, field for field what S3 checks of its policy."""

import hashlib
import hmac
import json
import math
import re
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

from ..domain.errors import Forbidden, InvalidInput, NotFound
from ..services.ports import Clock, PhotoStore

# The local server's routes for the form and for viewing (local/uploads.py).
LOCAL_UPLOAD_URL = "/local-uploads"
LOCAL_PHOTO_URL = "/local-photos/"
# Keys the services make: no "..", no leading "/", nothing a path could escape with.
KEY = re.compile(r"(?:uploads|photos)(?:/[A-Za-z0-9_-][A-Za-z0-9._-]*)+")
# The form's fields, as S3 names them; the local form signs the same ones.
FORM_FIELDS = ("key", "Content-Type", "x-max-bytes", "x-expires", "x-signature")


class S3Photos(PhotoStore):
    def __init__(self, bucket: str, region: str, endpoint: str | None = None, public_url: str | None = None):
        self._bucket = bucket
        self._region = region
        self._endpoint = endpoint
        # Browsers get URLs on `public_url` instead of `endpoint` (a moto server behind the local server).
        self._public_url = public_url
        self._client = None

    def _s3(self):
        if self._client is None:
            # Imported on first use: botocore costs a cold start ~300 ms.
            import boto3
            from botocore.config import Config

            self._client = boto3.client("s3", region_name=self._region, endpoint_url=self._endpoint,
                                        config=Config(signature_version="s3v4"))
        return self._client

    def upload_form(self, key, content_type, max_bytes, expires_in):
        # S3 enforces the conditions, not the fields: a browser may change a field,
        # never the policy signed over them.
        form = self._s3().generate_presigned_post(
            Bucket=self._bucket, Key=key, Fields={"Content-Type": content_type},
            Conditions=[{"key": key}, {"Content-Type": content_type}, ["content-length-range", 1, max_bytes]],
            ExpiresIn=_seconds(expires_in))
        return {"url": self._public(form["url"]), "fields": form["fields"]}

    def head(self, key):
        from botocore.exceptions import ClientError

        try:
            found = self._s3().head_object(Bucket=self._bucket, Key=key)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return None
            raise
        return found["ContentLength"], found.get("ContentType", "")

    def read(self, key):
        from botocore.exceptions import ClientError

        try:
            return self._s3().get_object(Bucket=self._bucket, Key=key)["Body"].read()
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("404", "NoSuchKey"):
                raise NotFound("photo_missing") from None
            raise

    def write(self, key, data, content_type):
        self._s3().put_object(Bucket=self._bucket, Key=key, Body=data, ContentType=content_type)

    def delete(self, key):
        self._s3().delete_object(Bucket=self._bucket, Key=key)

    def signed_url(self, key, expires_in):
        return self._public(self._s3().generate_presigned_url(
            "get_object", Params={"Bucket": self._bucket, "Key": key}, ExpiresIn=_seconds(expires_in)))

    def _public(self, url: str) -> str:
        if self._public_url and self._endpoint and url.startswith(self._endpoint):
            return self._public_url + url[len(self._endpoint):]
        return url


class LocalPhotos(PhotoStore):
    """Files under `directory`; the content type beside each in "<file>.type".
    Its forms and URLs are signed with the settings' secret and checked by the
    local server (local/uploads.py) against this store's clock."""

    def __init__(self, directory: str, secret: str, clock: Clock):
        self._root = Path(directory).resolve()
        self._secret = secret.encode()
        self._clock = clock

    def upload_form(self, key, content_type, max_bytes, expires_in):
        expires = str(self._expiry(expires_in))
        fields = {"key": key, "Content-Type": content_type, "x-max-bytes": str(max_bytes), "x-expires": expires}
        fields["x-signature"] = self._sign("upload", key, content_type, str(max_bytes), expires)
        return {"url": LOCAL_UPLOAD_URL, "fields": fields}

    def receive(self, fields: dict, data: bytes, allowed_types) -> None:
        """Store a file posted with a form this store made, if the form is intact,
        unexpired, for an allowed type, and the file fits: what S3 checks of a
        presigned POST's policy. Forbidden or InvalidInput otherwise."""
        if any(not isinstance(fields.get(name), str) for name in FORM_FIELDS):
            raise Forbidden("upload_not_allowed")
        key, content_type, max_bytes, expires = (fields[name] for name in FORM_FIELDS[:4])
        if content_type not in allowed_types:
            raise InvalidInput("photo_not_image", field="file")
        signature = self._sign("upload", key, content_type, max_bytes, expires)
        if not hmac.compare_digest(signature, fields["x-signature"]):
            raise Forbidden("upload_not_allowed")
        if int(expires) < self._clock.now().timestamp():
            raise Forbidden("upload_expired")
        if len(data) > int(max_bytes):
            raise InvalidInput("photo_too_large", field="file", limit=int(max_bytes) // (1024 * 1024))
        if not data:
            raise InvalidInput("photo_missing", field="file")
        self.write(key, data, content_type)

    def head(self, key):
        path = self._path(key)
        if not path.is_file():
            return None
        return path.stat().st_size, _type_file(path).read_text(encoding="utf-8")

    def read(self, key):
        path = self._path(key)
        if not path.is_file():
            raise NotFound("photo_missing")
        return path.read_bytes()

    def write(self, key, data, content_type):
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        _type_file(path).write_text(content_type, encoding="utf-8")

    def delete(self, key):
        path = self._path(key)
        path.unlink(missing_ok=True)
        _type_file(path).unlink(missing_ok=True)

    def signed_url(self, key, expires_in):
        expires = str(self._expiry(expires_in))
        return f"{LOCAL_PHOTO_URL}{quote(key)}?" + f"exp={expires}&sig={self._sign('view', key, expires)}"

    def viewable(self, key: str, expires: str, signature: str) -> tuple | None:
        """(bytes, content type) of the photo a signed URL names, if the URL is
        intact and unexpired and the photo exists; None otherwise."""
        if not (KEY.fullmatch(key) and expires.isdigit()):
            return None
        if not hmac.compare_digest(self._sign("view", key, expires), signature):
            return None
        if int(expires) < self._clock.now().timestamp() or self.head(key) is None:
            return None
        return self.read(key), self.head(key)[1]

    def _expiry(self, expires_in: timedelta) -> int:
        return math.ceil((self._clock.now() + expires_in).timestamp())

    def _sign(self, purpose: str, *values: str) -> str:
        message = json.dumps([purpose, *values]).encode()
        return hmac.new(self._secret, message, hashlib.sha256).hexdigest()

    def _path(self, key: str) -> Path:
        if not KEY.fullmatch(key):
            raise NotFound("photo_missing")
        return self._root / key


def create_bucket(bucket: str, region: str, endpoint: str | None = None) -> None:
    """The private photo bucket, on a moto server in local AWS mode (infra/ makes the real one)."""
    import boto3

    s3 = boto3.client("s3", region_name=region, endpoint_url=endpoint)
    existing = {found["Name"] for found in s3.list_buckets().get("Buckets", [])}
    if bucket not in existing:
        s3.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": region})


def _type_file(path: Path) -> Path:
    return path.with_name(path.name + ".type")


def _seconds(duration: timedelta) -> int:
    return max(1, math.ceil(duration.total_seconds()))
