"""Streets, the building registry, reading an address as people write it, and routing
a cause to an organisation by address."""

import re
from dataclasses import dataclass

from . import labels as _labels
from .catalogue import Cause


@dataclass(frozen=True)
class District:
    code: str
    names: dict

    def name(self, lang: str) -> str:
        return _labels.pick(self.names, lang)


@dataclass(frozen=True)
class Street:
    code: str
    names: dict
    district: str

    def name(self, lang: str) -> str:
        return _labels.pick(self.names, lang)


@dataclass(frozen=True)
class Building:
    street: str
    house: str
    district: str
    management_company: str


def normalise_house(house: str) -> str:
    """'12 а', '12-А' and '12А' are the same house."""
    return "".join(ch for ch in house.upper() if ch not in " -/") if house else ""


def fold(text: str) -> str:
    """Case, runs of spaces and the several apostrophes Ukrainian is typed with do not matter."""
    return " ".join(text.casefold().replace("’", "'").replace("ʼ", "'").replace("`", "'").split())


# Words that say what kind of street a name is: an address a person or a geocoder
# writes spells them out, shortens them or leaves them out, so names match without them.
STREET_KINDS = frozenset({
    "вулиця", "вул", "улица", "ул", "street", "st", "str",
    "проспект", "просп", "пр", "пр-т", "avenue", "ave", "av",
    "бульвар", "бульв", "бул", "б-р", "boulevard", "blvd",
    "провулок", "пров", "переулок", "пер", "lane", "ln",
    "площа", "пл", "площадь", "square", "sq",
    "набережна", "наб", "набережная", "embankment",
    "шосе", "шоссе", "highway", "road", "rd", "узвіз", "спуск", "проїзд", "проезд", "майдан",
})
_WORD = re.compile(r"[^\W_][\w'/-]*")
# A house number: digits, maybe a letter or a part ("103А", "12/1", "12-а"). Five
# digits and more are a postcode, not a house.
_HOUSE = re.compile(r"\d{1,4}(?!\d)(?:[/-]?\w{1,3})*")
MAX_HOUSE = 20


def _words(text: str) -> list:
    return _WORD.findall(fold(text))


@dataclass(frozen=True)
class Registry:
    districts: tuple
    streets: tuple
    buildings: tuple

    def street(self, code: str) -> Street | None:
        return next((s for s in self.streets if s.code == code), None)

    def building(self, street: str, house: str) -> Building | None:
        key = normalise_house(house)
        return next((b for b in self.buildings if b.street == street and normalise_house(b.house) == key), None)

    def find_address(self, text: str) -> tuple | None:
        """(street code, house) that an address written out names ("проспект Дмитра
        Яворницького, 8, Дніпро", "8 Dmytra Yavornytskoho Avenue"); None when no street,
        or two equally well, or no house number is found.

        A street is named when every word of one of its names (in any language, the kind
        of street left out) is in the text; of several, the one whose name has the most
        words. The house is the first house number among the other words."""
        words = _words(text)
        best, score, tied = None, 0, False
        for street in self.streets:
            for name in street.names.values():
                wanted = [w for w in _words(name) if w not in STREET_KINDS]
                if not wanted or not set(wanted) <= set(words):
                    continue
                if len(wanted) > score:
                    best, score, tied, used = street, len(wanted), False, wanted
                elif len(wanted) == score and street is not best:
                    tied = True
        if best is None or tied:
            return None
        rest = list(words)
        for word in used:
            rest.remove(word)
        house = next((w for w in rest if _HOUSE.fullmatch(w) and len(w) <= MAX_HOUSE), None)
        return (best.code, house.upper()) if house else None

    def district_of(self, street: str, house: str) -> str | None:
        building = self.building(street, house)
        if building:
            return building.district
        found = self.street(street)
        return found.district if found else None

    @classmethod
    def from_data(cls, districts: list, streets: list, buildings: list) -> "Registry":
        return cls(
            districts=tuple(District(d["code"], _labels.check(d["name"], d["code"])) for d in districts),
            streets=tuple(Street(s["code"], _labels.check(s["name"], s["code"]), s["district"]) for s in streets),
            buildings=tuple(Building(b["street"], b["house"], b["district"], b["management_company"])
                            for b in buildings),
        )

    def to_data(self) -> dict:
        """The keyword arguments of `from_data`: `Registry.from_data(**registry.to_data())`."""
        return {
            "districts": [{"code": d.code, "name": d.names} for d in self.districts],
            "streets": [{"code": s.code, "name": s.names, "district": s.district} for s in self.streets],
            "buildings": [{"street": b.street, "house": b.house, "district": b.district,
                           "management_company": b.management_company} for b in self.buildings],
        }


def route(cause: Cause, street: str, house: str, registry: Registry) -> str:
    """The organisation a new ticket goes to.

    Building causes go to the building's management company when the registry
    knows the building; everything else, and unknown buildings, to the cause's
    default organisation.
    """
    if cause.scope == "building":
        building = registry.building(street, house)
        if building:
            return building.management_company
    return cause.organisation
