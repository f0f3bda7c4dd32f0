"""The code archive `make package` builds: without the AWS SDK the Lambda Python runtime
already has, with everything else the functions import, and small."""

import csv
import io
import subprocess
import sys
import zipfile
from importlib import metadata
from pathlib import Path

import pytest
from packaging.utils import canonicalize_name

from tools import infra

ROOT = Path(__file__).resolve().parents[2]
# The Lambda Python runtime's boto3 and its dependencies, and the top-level names they install.
RUNTIME_SDK = {"boto3": ["boto3"], "botocore": ["botocore"], "s3transfer": ["s3transfer"], "jmespath": ["jmespath"],
               "python-dateutil": ["dateutil"], "six": ["six.py"], "urllib3": ["urllib3"]}
# Measured here: 15.3 MB with the SDK left out (32.2 MB with it), 1 477 files.
ARCHIVE_LIMIT = 16 * 1024 * 1024


@pytest.fixture(scope="module")
def archive(package):
    with zipfile.ZipFile(package / "deployment.zip") as opened:
        yield opened


def top_level(archive) -> set:
    return {name.split("/")[0] for name in archive.namelist()}


def requirements() -> list:
    lines = (ROOT / "functions" / "requirements.txt").read_text().splitlines()
    return [line.split("==")[0].strip() for line in lines if line.strip() and not line.startswith("#")]


def shipped(archive) -> dict:
    """{canonical name: .dist-info folder} of the distributions in the archive."""
    return {name: folder for folder, name in infra.dist_infos(archive).items()}


def test_the_runtime_sdk_is_boto3_and_its_dependencies():
    assert infra.runtime_sdk() == set(RUNTIME_SDK)


def test_the_archive_leaves_out_the_sdk_the_lambda_runtime_already_has(archive):
    tops = top_level(archive)
    assert not {name for names in RUNTIME_SDK.values() for name in names} & tops
    assert not set(RUNTIME_SDK) & set(shipped(archive))


def test_the_archive_holds_every_requirement_and_its_dependencies_the_runtime_lacks(archive):
    """Read from the archive's own metadata: the Linux arm64 wheels `chalice package` chose."""
    folders = shipped(archive)

    def requires(name):
        return metadata.PathDistribution(zipfile.Path(archive, folders[name] + "/")).requires if name in folders \
            else None

    needed = infra.closure(requirements(), requires) - set(RUNTIME_SDK)
    # pynamodb's botocore is the runtime's; argon2 brings cffi, Jinja2 MarkupSafe, requests idna.
    assert {"pynamodb", "argon2-cffi", "cffi", "markupsafe", "idna", "certifi"} <= needed
    assert needed <= set(folders), sorted(needed - set(folders))
    names = set(archive.namelist())
    for name in needed:
        record = csv.reader(io.StringIO(archive.read(folders[name] + "/RECORD").decode()))
        assert {row[0] for row in record if row and not row[0].startswith("../")} <= names, name


def test_the_archive_keeps_the_code_and_the_sdks_absence_changes_nothing_else(archive):
    assert {"app.py", "chalicelib", "chalice", "pynamodb", "jinja2", "phonenumbers", "PIL", "authlib",
            "requests", "argon2"} <= top_level(archive)
    assert any(name.startswith("chalicelib/locale/") and name.endswith(".mo") for name in archive.namelist())


def test_the_apps_pure_python_code_imports_from_the_archive_beside_only_the_runtime_sdk(archive, tmp_path):
    """As on Lambda: the archive's folder first, then the runtime's SDK, no site-packages.
    (The compiled wheels are for arm64 and are not imported here.)"""
    code, sdk = tmp_path / "task", tmp_path / "runtime"
    archive.extractall(code)
    sdk.mkdir()
    for name, tops in RUNTIME_SDK.items():
        where = Path(metadata.distribution(name).locate_file(""))
        for top in tops:
            (sdk / top).symlink_to(where / top)
    probe = ("import sys; sys.path[:0] = [{code!r}, {sdk!r}]; "
             "import app, pynamodb.models, jinja2, phonenumbers, chalicelib.adapters.dynamodb; "
             "print(sorted({{m.__file__.split('/' + m.__name__.split('.')[0])[0] for m in "
             "(app, pynamodb.models, jinja2, phonenumbers, chalicelib.adapters.dynamodb, sys.modules['botocore'])}}))"
             ).format(code=str(code), sdk=str(sdk))
    out = subprocess.run([sys.executable, "-I", "-S", "-c", probe], capture_output=True, text=True,
                         env={"AWS_DEFAULT_REGION": "eu-central-1"})
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == str(sorted({str(code), str(sdk)}))


def test_the_archive_is_smaller_than_its_measured_limit(package):
    assert (package / "deployment.zip").stat().st_size <= ARCHIVE_LIMIT


def test_leaving_out_the_sdk_copies_every_other_entry_as_it_was(tmp_path):
    archive = tmp_path / "deployment.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as made:
        made.writestr("app.py", "from chalice import Chalice\n")
        made.writestr(zipfile.ZipInfo("bin/tool", (2026, 11, 23, 11, 0, 0)), b"#!/bin/sh\n")
        for name, version, files in (("six", "1.17.0", ["six.py"]), ("Jinja2", "3.1.6", ["jinja2/__init__.py"])):
            folder = f"{name.lower()}-{version}.dist-info"
            made.writestr(f"{folder}/METADATA", f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n")
            made.writestr(f"{folder}/RECORD", "".join(f"{path},,\n" for path in files + [f"{folder}/METADATA"]))
            for path in files:
                made.writestr(path, "# " + name)
    with zipfile.ZipFile(archive) as before:
        kept = {info.filename: (before.read(info), info.date_time, info.external_attr) for info in before.infolist()
                if not info.filename.startswith(("six", "six-"))}

    assert infra.leave_out_runtime_sdk(archive) == {canonicalize_name("six")}

    with zipfile.ZipFile(archive) as after:
        assert {info.filename: (after.read(info), info.date_time, info.external_attr)
                for info in after.infolist()} == kept
