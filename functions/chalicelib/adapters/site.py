"""Site publishers: the S3 site bucket behind CloudFront, and a local folder the
local server serves. Both skip files whose bytes are already there, so a nightly
regeneration that changes nothing writes nothing and invalidates nothing."""

import hashlib
import os
import tempfile
import uuid
from pathlib import Path, PurePosixPath
from urllib.parse import quote

from ..services.ports import SitePublisher

# Pages and data the system regenerates under the same name: browsers and the CDN
# must come back for them soon. Anything else published changes rarely.
SHORT_CACHE = "public, max-age=60"
LONG_CACHE = "public, max-age=86400"
SHORT_LIVED = {"text/html", "application/json", "application/atom+xml", "text/csv"}
# Text types a browser would otherwise decode in its own default charset.
TEXT = {"application/json", "application/atom+xml", "application/xml", "application/javascript", "image/svg+xml"}


def cache_control(content_type: str) -> str:
    return SHORT_CACHE if _media(content_type) in SHORT_LIVED else LONG_CACHE


def full_content_type(content_type: str) -> str:
    """The type as stored: text types name their charset (all we publish is UTF-8)."""
    media = _media(content_type)
    if (media.startswith("text/") or media in TEXT) and "charset=" not in content_type.lower():
        return f"{content_type}; charset=utf-8"
    return content_type


class S3Site(SitePublisher):
    def __init__(self, bucket: str, region: str, distribution_id: str | None, endpoint: str | None = None):
        self._bucket = bucket
        self._region = region
        self._distribution_id = distribution_id
        self._endpoint = endpoint
        self._clients = {}

    def publish(self, files):
        changed = sorted(path for path, (data, content_type) in files.items()
                         if self._put_if_changed(_checked(path), data, content_type))
        if changed and self._distribution_id:
            paths = ["/" + quote(path) for path in changed]
            self._client("cloudfront").create_invalidation(
                DistributionId=self._distribution_id,
                InvalidationBatch={"Paths": {"Quantity": len(paths), "Items": paths},
                                   # Unique per call: CloudFront treats a repeated reference as the same request.
                                   "CallerReference": uuid.uuid4().hex})
        return changed

    def _put_if_changed(self, key: str, data: bytes, content_type: str) -> bool:
        # A single-part upload's ETag is the MD5 of its bytes.
        if self._stored_etag(key) == hashlib.md5(data).hexdigest():
            return False
        self._client("s3").put_object(Bucket=self._bucket, Key=key, Body=data,
                                      ContentType=full_content_type(content_type),
                                      CacheControl=cache_control(content_type))
        return True

    def _stored_etag(self, key: str) -> str | None:
        from botocore.exceptions import ClientError

        try:
            return self._client("s3").head_object(Bucket=self._bucket, Key=key)["ETag"].strip('"')
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in ("404", "NoSuchKey", "NotFound"):
                return None
            raise

    def _client(self, service: str):
        if service not in self._clients:
            # Imported on first use: botocore costs a cold start ~300 ms.
            import boto3

            self._clients[service] = boto3.client(service, region_name=self._region, endpoint_url=self._endpoint)
        return self._clients[service]


class LocalSite(SitePublisher):
    def __init__(self, folder: str):
        self._root = Path(folder)

    def publish(self, files):
        return sorted(path for path, (data, _content_type) in files.items()
                      if self._write_if_changed(self._root / _checked(path), data))

    @staticmethod
    def _write_if_changed(target: Path, data: bytes) -> bool:
        if target.is_file() and target.read_bytes() == data:
            return False
        target.parent.mkdir(parents=True, exist_ok=True)
        # Written beside the target and renamed over it, so the local server never
        # serves half a page.
        handle, temp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(data)
            os.chmod(temp, 0o644)  # mkstemp makes it private; a page is for everyone
            os.replace(temp, target)
        except BaseException:
            os.unlink(temp)
            raise
        return True


def _checked(path: str) -> str:
    """A path inside the site root, as the services build them; anything that could
    escape it or name the root itself is a bug in the caller."""
    parts = PurePosixPath(path).parts
    if not parts or path.startswith("/") or "\\" in path or ".." in parts or str(PurePosixPath(*parts)) != path:
        raise ValueError(f"not a site path: {path!r}")
    return path


def _media(content_type: str) -> str:
    return content_type.split(";")[0].strip().lower()


class RecordingSite(SitePublisher):
    """Keeps every batch of files it is given, and says all of them changed (tests)."""

    def __init__(self):
        self.batches = []

    def publish(self, files: dict) -> list:
        self.batches.append(files)
        return sorted(files)
