"""`make package`'s own packaging (tools/infra.py), run once for every test of the
deployable template and code archive: `chalice package` takes a while."""

from pathlib import Path

import pytest

from tools import infra


@pytest.fixture(scope="session")
def package(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("package")
    infra.package(out, merge=out.parent / "merge.json")
    return out
