"""The demo city's data files load through the domain and hold together."""

import json
from pathlib import Path

import pytest

from chalicelib.domain.address import Registry, route
from chalicelib.domain.catalogue import Catalogue
from chalicelib.domain.city import City
from chalicelib.domain.organisation import Organisation, check_supervisors

DATA = Path(__file__).resolve().parents[2] / "functions" / "chalicelib" / "data"


def load(name):
    return json.loads((DATA / name).read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def city():
    return City.from_data(load("city.json"))


@pytest.fixture(scope="module")
def catalogue():
    return Catalogue.from_data(load("catalogue.json"))


@pytest.fixture(scope="module")
def organisations():
    return {o.code: o for o in map(Organisation.from_data, load("organisations.json"))}


@pytest.fixture(scope="module")
def registry(city):
    return Registry.from_data(load("city.json")["districts"], load("streets.json"), load("buildings.json"))


def test_the_demo_city_is_dnipro_in_kyiv_time_with_the_standard_classes(city):
    assert city.code == "dnipro" and city.timezone == "Europe/Kyiv"
    assert city.default_language == "uk" and set(city.languages) == {"uk", "ru", "en"}
    assert city.sla.hours == {"emergency": 6, "short": 24, "medium": 72, "long": 168}
    assert city.allowed_country_codes == (380,)
    assert any(h.number == "104" for h in city.hotlines)


def test_the_catalogue_has_the_topics_a_ukrainian_city_needs_with_three_to_eight_causes(catalogue):
    codes = {t.code for t in catalogue.topics}
    assert {"water", "sewerage", "heating", "hot-water", "electricity", "street-lighting", "waste", "roads",
            "yards", "lifts", "management"} <= codes
    assert all(3 <= len(t.causes) <= 8 for t in catalogue.topics)
    assert all(c.code.startswith(c.topic + ".") for c in catalogue.causes())


@pytest.mark.parametrize("code", ["water.no-water-building", "sewerage.flooding-building",
                                  "heating.no-heating-building", "electricity.fallen-wires",
                                  "building.flooded-basement", "gas.smell"])
def test_emergencies_get_six_hours(catalogue, city, code):
    cause = catalogue.cause(code)
    assert cause.sla_class == "emergency" and city.sla.hours_for(cause.sla_class) == 6


def test_a_gas_smell_tells_the_caller_to_phone_104_in_every_language(catalogue):
    advice = catalogue.cause("gas.smell").advice
    assert all("104" in advice[lang] for lang in ("uk", "ru", "en"))


def test_every_reference_in_the_data_resolves(catalogue, organisations, registry):
    check_supervisors(organisations.values())
    assert all(organisations[c.organisation].kind == "executor" for c in catalogue.causes())
    districts = {d.code for d in registry.districts}
    assert all(s.district in districts for s in registry.streets)
    streets = {s.code: s for s in registry.streets}
    for b in registry.buildings:
        assert streets[b.street].district == b.district
        assert organisations[b.management_company].kind == "executor"


def test_a_building_cause_goes_to_the_buildings_management_company(catalogue, registry):
    cause = next(c for c in catalogue.causes() if c.scope == "building")
    building = next(b for b in registry.buildings if b.management_company != cause.organisation)
    assert route(cause, building.street, building.house.lower() + " ", registry) == building.management_company


def test_a_building_cause_at_an_unknown_house_falls_back_to_the_causes_organisation(catalogue, registry):
    cause = next(c for c in catalogue.causes() if c.scope == "building")
    assert route(cause, registry.streets[0].code, "9999", registry) == cause.organisation


def test_a_city_wide_cause_goes_to_its_default_executor_wherever_it_is(catalogue, registry):
    cause = catalogue.cause("water.no-water-building")
    building = registry.buildings[0]
    assert route(cause, building.street, building.house, registry) == cause.organisation


def test_a_catalogue_with_a_repeated_cause_or_a_missing_translation_is_refused():
    topic = {"code": "t", "name": {"uk": "т", "ru": "т", "en": "t"}, "causes": [
        {"code": "t.a", "name": {"uk": "а", "ru": "а", "en": "a"}, "sla_class": "short", "organisation": "o"}]}
    with pytest.raises(ValueError):
        Catalogue.from_data([topic, dict(topic, code="u")])
    broken = dict(topic, causes=[dict(topic["causes"][0], name={"uk": "а", "en": "a"})])
    with pytest.raises(ValueError):
        Catalogue.from_data([broken])
