"""Reference data from the files in `chalicelib/data` into an empty directory."""

import json
from pathlib import Path

from ..domain.address import Registry
from ..domain.catalogue import Catalogue
from ..domain.organisation import Organisation, check_supervisors
from .ports import Storage


def seed_directory(storage: Storage, data_dir: str) -> bool:
    """Load organisations, the address registry and the catalogue if the directory
    has no catalogue yet; True if it did.

    The catalogue goes in last, so a catalogue in the directory means the rest is
    there too, even after a seeding that was cut short.
    """
    directory = storage.directory
    if directory.catalogue() is not None:
        return False
    data = Path(data_dir)

    def read(name):
        return json.loads((data / name).read_text(encoding="utf-8"))

    organisations = [Organisation.from_data(raw) for raw in read("organisations.json")]
    check_supervisors(organisations)
    registry = Registry.from_data(read("city.json")["districts"], read("streets.json"), read("buildings.json"))
    catalogue = Catalogue.from_data(read("catalogue.json"))
    for organisation in organisations:
        directory.put_organisation(organisation)
    directory.put_registry(registry)
    directory.put_catalogue(catalogue)
    return True
