"""Print the pinned requirements of pyproject.toml: the runtime ones, or with `dev` all.

`make venv` installs from it and `make requirements` exports the runtime ones to
functions/requirements.txt for `chalice package`, so the pins live in one place.
"""

import sys
import tomllib
from pathlib import Path

project = tomllib.loads((Path(__file__).resolve().parents[1] / "pyproject.toml").read_text())["project"]
lines = list(project["dependencies"])
if "dev" in sys.argv[1:]:
    lines += project["optional-dependencies"]["dev"]
print("\n".join(lines))
