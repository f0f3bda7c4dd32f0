"""The local stand-in for a message provider: one JSON object a line in a file."""

import json
from datetime import datetime, timezone
from pathlib import Path


def append(path: Path, record: dict) -> str:
    """Append `record` with the time it was sent as `at`; the line written.
    OSError if the file cannot be written."""
    at = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    line = json.dumps({**record, "at": at}, ensure_ascii=False)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as out:
        out.write(line + "\n")
    return line
