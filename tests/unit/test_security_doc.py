"""SECURITY.md's table of who may do what is the one in services/permissions.py."""

from pathlib import Path

from chalicelib.services.permissions import MAY

SECURITY = Path(__file__).resolve().parents[2] / "SECURITY.md"
BEGIN, END = "<!-- matrix: generated from services/permissions.py MAY -->", "<!-- end of matrix -->"


def matrix() -> list:
    roles = list(MAY)
    rows = ["| action | " + " | ".join(roles) + " |", "|---|" + "---|" * len(roles)]
    for action in sorted(set().union(*MAY.values())):
        rows.append(f"| `{action}` | " + " | ".join("✓" if action in MAY[role] else "" for role in roles) + " |")
    return rows


def test_the_security_notes_give_the_permission_table_the_service_layer_checks():
    text = SECURITY.read_text(encoding="utf-8")
    written = text[text.index(BEGIN) + len(BEGIN):text.index(END)].strip().splitlines()
    assert [row.replace(" ", "") for row in written] == [row.replace(" ", "") for row in matrix()]
