"""Organisations: executors do the work, departments supervise them, the inspectorate enforces."""

from dataclasses import dataclass, field

from . import labels as _labels

KINDS = ("executor", "department", "inspectorate")


@dataclass(frozen=True)
class Organisation:
    code: str
    kind: str
    names: dict
    supervisor: str | None = None
    phone: str = ""
    email: str = ""
    topics: tuple = field(default_factory=tuple)
    # The area it serves: district codes of the registry; none, the whole city.
    districts: tuple = field(default_factory=tuple)

    def name(self, lang: str) -> str:
        return _labels.pick(self.names, lang)

    @classmethod
    def from_data(cls, raw: dict) -> "Organisation":
        if raw["kind"] not in KINDS:
            raise ValueError(f"organisation {raw['code']}: unknown kind {raw['kind']}")
        if raw["kind"] == "executor" and not raw.get("supervisor"):
            raise ValueError(f"executor {raw['code']} must name its supervising department")
        return cls(code=raw["code"], kind=raw["kind"], names=_labels.check(raw["name"], raw["code"]),
                   supervisor=raw.get("supervisor"), phone=raw.get("phone", ""), email=raw.get("email", ""),
                   topics=tuple(raw.get("topics", ())), districts=tuple(raw.get("districts", ())))

    def to_data(self) -> dict:
        return {"code": self.code, "kind": self.kind, "name": self.names, "supervisor": self.supervisor,
                "phone": self.phone, "email": self.email, "topics": list(self.topics),
                "districts": list(self.districts)}


def check_supervisors(organisations) -> None:
    by_code = {o.code: o for o in organisations}
    for org in organisations:
        if org.supervisor and getattr(by_code.get(org.supervisor), "kind", None) != "department":
            raise ValueError(f"{org.code}: supervisor {org.supervisor} is not a department")
