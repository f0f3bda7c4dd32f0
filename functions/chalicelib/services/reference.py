"""Reference data a request needs (catalogue, address registry, organisations),
and the lists the resident's forms are built from."""

from dataclasses import dataclass

from ..domain.address import Registry, fold
from ..domain.catalogue import Catalogue
from ..domain.labels import pick

MAX_STREETS = 20
MAX_QUERY = 100


@dataclass(frozen=True)
class Reference:
    catalogue: Catalogue
    registry: Registry
    organisations: dict  # code -> Organisation

    def organisation_name(self, code: str, lang: str) -> str:
        organisation = self.organisations.get(code)
        return organisation.name(lang) if organisation else code


def load(storage) -> Reference:
    directory = storage.directory
    catalogue, registry = directory.catalogue(), directory.registry()
    if catalogue is None or registry is None:
        raise RuntimeError("the directory is not seeded (bootstrap seeds it from chalicelib/data)")
    return Reference(catalogue, registry, {o.code: o for o in directory.organisations()})


def categories(deps, lang: str) -> list:
    catalogue = load(deps.storage).catalogue
    return [
        {"code": topic.code, "name": topic.name(lang), "icon": topic.icon, "causes": [
            {"code": cause.code, "name": cause.name(lang), "sla_class": cause.sla_class,
             "sla_hours": deps.city.sla.hours_for(cause.sla_class),
             "advice": pick(cause.advice, lang) if cause.advice else None}
            for cause in topic.causes]}
        for topic in catalogue.topics
    ]


def streets(deps, query, lang: str) -> list:
    """Streets whose name in any language contains `query`, named in `lang`,
    with their district: the address autocomplete."""
    registry = load(deps.storage).registry
    wanted = fold(query[:MAX_QUERY]) if isinstance(query, str) else ""
    districts = {d.code: d for d in registry.districts}
    found = [s for s in registry.streets if any(wanted in fold(name) for name in s.names.values())]
    found.sort(key=lambda s: fold(s.name(lang)))
    return [
        {"code": s.code, "name": s.name(lang), "district": {
            "code": s.district, "name": districts[s.district].name(lang) if s.district in districts else s.district}}
        for s in found[:MAX_STREETS]
    ]

