"""The site publishers: pages land where the site is served from, each S3 object
with the type and cache headers of its kind, unchanged bytes are written again
nowhere, and CloudFront forgets exactly the pages that changed."""

import boto3
import pytest
from moto import mock_aws

from chalicelib import bootstrap
from chalicelib.adapters.site import LocalSite, S3Site
from chalicelib.settings import Settings
from tests.aws import REGION, create_distribution
BUCKET = "citydesk-site"
HTML = "text/html"
PAGES = {
    "uk/outages/index.html": (b"<p>\xd0\x92\xd0\xbe\xd0\xb4\xd0\xb0</p>", HTML),
    "en/outages/index.html": (b"<p>Water</p>", HTML),
    "outages.json": (b'{"outages": []}', "application/json"),
    "outages.atom": (b"<feed/>", "application/atom+xml"),
}


# LocalSite


def test_a_local_publication_writes_every_file_under_the_folder_in_nested_folders(tmp_path):
    site = LocalSite(str(tmp_path / "site"))

    changed = site.publish(PAGES)

    assert changed == sorted(PAGES)
    for path, (data, _) in PAGES.items():
        assert (tmp_path / "site" / path).read_bytes() == data


def test_a_local_republication_skips_unchanged_files_and_lists_only_the_changed(tmp_path):
    site = LocalSite(str(tmp_path))
    site.publish(PAGES)
    untouched = (tmp_path / "outages.json").stat().st_mtime_ns

    changed = site.publish({**PAGES, "en/outages/index.html": (b"<p>Heating</p>", HTML)})

    assert changed == ["en/outages/index.html"]
    assert (tmp_path / "en/outages/index.html").read_bytes() == b"<p>Heating</p>"
    assert (tmp_path / "outages.json").stat().st_mtime_ns == untouched
    assert site.publish(PAGES | {"en/outages/index.html": (b"<p>Heating</p>", HTML)}) == []


def test_a_local_publication_leaves_no_temporary_file_behind(tmp_path):
    LocalSite(str(tmp_path)).publish(PAGES)
    LocalSite(str(tmp_path)).publish({"outages.json": (b"{}", "application/json")})

    files = sorted(str(path.relative_to(tmp_path)) for path in tmp_path.rglob("*") if path.is_file())
    assert files == sorted(PAGES)


@pytest.mark.parametrize("path", ["../escape.html", "/etc/passwd", "uk/../../x", "", "uk//x.html", "uk\\x.html"])
def test_a_path_outside_the_site_root_is_refused(tmp_path, path):
    with pytest.raises(ValueError):
        LocalSite(str(tmp_path / "site")).publish({path: (b"x", HTML)})
    assert not (tmp_path / "escape.html").exists()


# S3Site under moto


@pytest.fixture
def aws(monkeypatch):
    for name, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                        "AWS_SESSION_TOKEN": "testing", "AWS_DEFAULT_REGION": REGION}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    with mock_aws():
        boto3.client("s3", region_name=REGION).create_bucket(
            Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION})
        yield


@pytest.fixture
def distribution(aws):
    return create_distribution(BUCKET, "citydesk-test")


def stored(key: str) -> dict:
    return boto3.client("s3", region_name=REGION).get_object(Bucket=BUCKET, Key=key)


def invalidations(distribution_id: str) -> list:
    cloudfront = boto3.client("cloudfront", region_name=REGION)
    listed = cloudfront.list_invalidations(DistributionId=distribution_id)["InvalidationList"].get("Items", [])
    return [cloudfront.get_invalidation(DistributionId=distribution_id, Id=item["Id"])["Invalidation"]
            ["InvalidationBatch"] for item in listed]


def invalidated_paths(distribution_id: str) -> list:
    return [sorted(batch["Paths"]["Items"]) for batch in invalidations(distribution_id)]


@pytest.mark.parametrize("path, data, content_type, stored_type, cache", [
    ("uk/outages/index.html", b"<p>x</p>", "text/html", "text/html; charset=utf-8", "public, max-age=60"),
    ("outages.json", b"{}", "application/json", "application/json; charset=utf-8", "public, max-age=60"),
    ("outages.atom", b"<feed/>", "application/atom+xml", "application/atom+xml; charset=utf-8",
     "public, max-age=60"),
    ("uk/stats/tickets.csv", b"a,b\n", "text/csv", "text/csv; charset=utf-8", "public, max-age=60"),
    ("uk/stats/chart.svg", b"<svg/>", "image/svg+xml", "image/svg+xml; charset=utf-8", "public, max-age=86400"),
    ("img/map.png", b"\x89PNG", "image/png", "image/png", "public, max-age=86400"),
    ("legacy.html", b"<p/>", "text/html; charset=utf-8", "text/html; charset=utf-8", "public, max-age=60"),
])
def test_each_kind_of_file_is_stored_with_its_content_type_and_cache_header(
        aws, path, data, content_type, stored_type, cache):
    assert S3Site(BUCKET, REGION, None).publish({path: (data, content_type)}) == [path]

    found = stored(path)
    assert found["Body"].read() == data
    assert (found["ContentType"], found["CacheControl"]) == (stored_type, cache)


def test_an_s3_republication_puts_only_the_changed_objects(aws):
    site = S3Site(BUCKET, REGION, None)
    site.publish(PAGES)
    first = {key: stored(key)["LastModified"] for key in PAGES}
    put_keys = []
    s3 = site._client("s3")
    s3.meta.events.register("before-parameter-build.s3.PutObject", lambda params, **_: put_keys.append(params["Key"]))

    changed = site.publish({**PAGES, "outages.json": (b'{"outages": [1]}', "application/json")})

    assert changed == ["outages.json"] and put_keys == ["outages.json"]
    assert stored("outages.json")["Body"].read() == b'{"outages": [1]}'
    assert stored("outages.atom")["LastModified"] == first["outages.atom"]


def test_cloudfront_forgets_exactly_the_changed_paths_once_per_publication(distribution):
    site = S3Site(BUCKET, REGION, distribution)
    site.publish(PAGES)

    changed = site.publish({**PAGES, "uk/outages/index.html": (b"<p>new</p>", HTML),
                            "outages.atom": (b"<feed>new</feed>", "application/atom+xml")})

    assert changed == ["outages.atom", "uk/outages/index.html"]
    assert sorted(invalidated_paths(distribution)) == sorted([
        sorted("/" + path for path in PAGES),
        ["/outages.atom", "/uk/outages/index.html"],
    ])
    # CloudFront would take a repeated reference for a retry of the first request.
    assert len({batch["CallerReference"] for batch in invalidations(distribution)}) == 2


def test_a_publication_that_changes_nothing_invalidates_nothing(distribution):
    site = S3Site(BUCKET, REGION, distribution)
    site.publish(PAGES)

    assert site.publish(PAGES) == []
    assert len(invalidated_paths(distribution)) == 1


def test_without_a_distribution_the_bucket_is_written_and_nothing_is_invalidated(aws):
    assert S3Site(BUCKET, REGION, None).publish(PAGES) == sorted(PAGES)
    assert boto3.client("cloudfront", region_name=REGION).list_distributions()["DistributionList"]["Quantity"] == 0


# Settings and wiring


def test_the_site_store_is_chosen_in_the_settings_and_s3_needs_its_bucket():
    chosen = Settings.from_env({"CITYDESK_SECRET": "s", "CITYDESK_SITE_STORE": "s3", "CITYDESK_SITE_BUCKET": "b",
                                "CITYDESK_CLOUDFRONT_DISTRIBUTION": "E123"})
    assert (chosen.site_store, chosen.site_bucket, chosen.cloudfront_distribution) == ("s3", "b", "E123")
    local = Settings.from_env({"CITYDESK_SECRET": "s", "CITYDESK_SITE_DIR": "/srv/site"})
    assert (local.site_store, local.site_dir) == ("local", "/srv/site")
    assert Settings.from_env({"CITYDESK_SECRET": "s"}).site_dir == "build/site"
    for wrong in ({"site_store": "s3"}, {"site_store": "ftp"}):
        with pytest.raises(ValueError):
            Settings(secret="s", **wrong)


def test_the_deps_publish_to_the_store_the_settings_choose(settings, tmp_path):
    assert isinstance(bootstrap.open_site(settings), LocalSite)
    bootstrap.open_site(settings).publish({"outages.json": (b"{}", "application/json")})
    assert (tmp_path / "site" / "outages.json").read_bytes() == b"{}"
    s3 = Settings(secret="s", site_store="s3", site_bucket=BUCKET, cloudfront_distribution="E1")
    assert isinstance(bootstrap.open_site(s3), S3Site)


def test_the_built_deps_always_have_a_site_publisher(deps):
    assert isinstance(deps.site, LocalSite)
