"""Streets, the building registry, and routing a cause to an organisation by address."""

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
