"""Directory: the demo city's organisations, catalogue and address registry, stored and read back."""

import json
from dataclasses import replace
from pathlib import Path

import pytest

from chalicelib.domain.address import Registry
from chalicelib.domain.catalogue import Catalogue
from chalicelib.domain.organisation import Organisation

DATA = Path(__file__).resolve().parents[2] / "functions" / "chalicelib" / "data"


def load(name):
    return json.loads((DATA / name).read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def organisations():
    return [Organisation.from_data(raw) for raw in load("organisations.json")]


@pytest.fixture(scope="module")
def catalogue():
    return Catalogue.from_data(load("catalogue.json"))


@pytest.fixture(scope="module")
def registry():
    return Registry.from_data(load("city.json")["districts"], load("streets.json"), load("buildings.json"))


def test_an_empty_directory_has_no_organisations_catalogue_or_registry(storage):
    assert storage.directory.organisations() == []
    assert storage.directory.catalogue() is None
    assert storage.directory.registry() is None


def test_the_demo_organisations_come_back_equal_by_code(storage, organisations):
    for organisation in reversed(organisations):
        storage.directory.put_organisation(organisation)

    assert storage.directory.organisations() == sorted(organisations, key=lambda o: o.code)


def test_putting_an_organisation_again_replaces_it(storage, organisations):
    organisation = next(o for o in organisations if o.kind == "executor")
    storage.directory.put_organisation(organisation)
    moved = replace(organisation, phone="+380567000999", topics=("water",))

    storage.directory.put_organisation(moved)

    assert storage.directory.organisations() == [moved]


def test_the_demo_catalogue_comes_back_equal(storage, catalogue):
    storage.directory.put_catalogue(catalogue)

    assert storage.directory.catalogue() == catalogue


def test_putting_a_catalogue_replaces_the_whole_of_it(storage, catalogue):
    storage.directory.put_catalogue(catalogue)
    smaller = Catalogue(catalogue.topics[:2])

    storage.directory.put_catalogue(smaller)

    assert storage.directory.catalogue() == smaller


def test_the_demo_registry_comes_back_equal(storage, registry):
    storage.directory.put_registry(registry)

    assert storage.directory.registry() == registry


def test_putting_a_registry_replaces_the_whole_of_it(storage, registry):
    storage.directory.put_registry(registry)
    smaller = replace(registry, buildings=registry.buildings[:1])

    storage.directory.put_registry(smaller)

    assert storage.directory.registry() == smaller
