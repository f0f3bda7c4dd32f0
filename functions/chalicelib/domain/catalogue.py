"""The category catalogue: topics, each with causes a resident picks from."""

from dataclasses import dataclass

from . import labels as _labels
from .sla import CLASSES

SCOPES = ("city", "building")


@dataclass(frozen=True)
class Cause:
    code: str
    topic: str
    names: dict
    sla_class: str
    # "building": goes to the building's management company (routing by address);
    # "city": goes to `organisation`, the cause's default executor.
    scope: str
    organisation: str
    advice: dict | None = None

    def name(self, lang: str) -> str:
        return _labels.pick(self.names, lang)


@dataclass(frozen=True)
class Topic:
    code: str
    names: dict
    causes: tuple
    icon: str = ""

    def name(self, lang: str) -> str:
        return _labels.pick(self.names, lang)


@dataclass(frozen=True)
class Catalogue:
    topics: tuple

    def cause(self, code: str) -> Cause | None:
        for topic in self.topics:
            for cause in topic.causes:
                if cause.code == code:
                    return cause
        return None

    def topic(self, code: str) -> Topic | None:
        return next((t for t in self.topics if t.code == code), None)

    def causes(self):
        return [cause for topic in self.topics for cause in topic.causes]

    @classmethod
    def from_data(cls, data: list) -> "Catalogue":
        topics = []
        seen = set()
        for raw in data:
            causes = []
            for c in raw["causes"]:
                if c["code"] in seen:
                    raise ValueError(f"cause {c['code']} appears twice")
                seen.add(c["code"])
                if c["sla_class"] not in CLASSES:
                    raise ValueError(f"cause {c['code']}: unknown SLA class {c['sla_class']}")
                if c.get("scope", "city") not in SCOPES:
                    raise ValueError(f"cause {c['code']}: unknown scope {c['scope']}")
                causes.append(Cause(
                    code=c["code"], topic=raw["code"], names=_labels.check(c["name"], c["code"]),
                    sla_class=c["sla_class"], scope=c.get("scope", "city"), organisation=c["organisation"],
                    advice=_labels.check(c["advice"], c["code"]) if c.get("advice") else None,
                ))
            topics.append(Topic(code=raw["code"], names=_labels.check(raw["name"], raw["code"]),
                                causes=tuple(causes), icon=raw.get("icon", "")))
        return cls(tuple(topics))

    def to_data(self) -> list:
        return [
            {"code": t.code, "name": t.names, "icon": t.icon, "causes": [
                {"code": c.code, "name": c.names, "sla_class": c.sla_class, "scope": c.scope,
                 "organisation": c.organisation, "advice": c.advice} for c in t.causes]}
            for t in self.topics
        ]
