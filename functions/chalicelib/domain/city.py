"""City settings: one file a municipality edits; the demo city is Dnipro."""

from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from . import labels as _labels
from .sla import SlaPolicy


@dataclass(frozen=True)
class Hotline:
    number: str
    labels: dict


@dataclass(frozen=True)
class City:
    code: str
    names: dict
    default_language: str
    languages: tuple
    timezone: str
    hotlines: tuple
    allowed_country_codes: tuple
    sla: SlaPolicy
    contacts: dict = field(default_factory=dict)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def name(self, lang: str) -> str:
        return _labels.pick(self.names, lang, self.default_language)

    def language(self, asked: str | None) -> str:
        return asked if asked in self.languages else self.default_language

    @classmethod
    def from_data(cls, raw: dict) -> "City":
        languages = tuple(raw.get("languages", _labels.LANGUAGES))
        if raw["default_language"] not in languages:
            raise ValueError("default_language must be one of languages")
        ZoneInfo(raw["timezone"])  # fails early on a misspelt zone
        return cls(
            code=raw["code"], names=_labels.check(raw["name"], "city"),
            default_language=raw["default_language"], languages=languages, timezone=raw["timezone"],
            hotlines=tuple(Hotline(h["number"], h.get("label", {})) for h in raw.get("hotlines", ())),
            allowed_country_codes=tuple(int(c) for c in raw.get("allowed_country_codes", (380,))),
            sla=SlaPolicy(hours=dict(raw["sla_hours"]), reminder_fraction=float(raw.get("reminder_fraction", 0.75)),
                          auto_close_days=int(raw.get("auto_close_days", 5))),
            contacts=dict(raw.get("contacts", {})),
        )
