"""The public pages the system writes itself: "Emergency works now" in each of the
city's languages, the same data as `outages.json` and as an Atom feed, and the home
page's summary of it (`outages-summary.json`: counts by kind, nothing else).

What is shown is built item by item from what may be shown to anyone: an
operator's notice as published, and of an emergency ticket in progress only its
street and house, its cause and (if an operator published it) its description —
never the reporter, the flat, the entrance or the address note.

A notice's change, and an emergency ticket's in works, marks the page dirty
(`outages_changed`); the minute tick republishes a dirty page (`republish_outages_if_changed`).
"""

import json
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path

from ..domain.labels import LANGUAGE_NAMES, pick
from ..domain.ticket import State
from ..i18n import N_, translate
from . import reference
from .answers import utc
from .ports import QueueQuery

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
ATOM = "http://www.w3.org/2005/Atom"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
HTML, JSON, FEED = "text/html; charset=utf-8", "application/json", "application/atom+xml"
# The page loads nothing but our own stylesheet: no script, no inline style.
CONTENT_SECURITY_POLICY = ("default-src 'self'; script-src 'none'; style-src 'self'; img-src 'self';"
                           " object-src 'none'; base-uri 'none'; form-action 'none'")
# Emergency works are going on while an executor works the ticket; a reopened one
# shows again once it is accepted for its second round.
WORKS_STATES = (State.IN_PROGRESS.value,)
EMERGENCY = "emergency"
QUEUE_PAGE = 500
# Both counters live in one never-ending window: they count for ever.
FOREVER = datetime(2100, 1, 1, tzinfo=timezone.utc)
CHANGED, PUBLISHED = "outages-changed", "outages-published"

TITLE = N_("Emergency works now")
BRAND = N_("Contact centre of {city}")
UPDATED = N_("Last updated: {time}")
WHEN = N_("From {start}, expected to end by {end}")
# The texts of the layout every generated page extends (templates/page.html), by the
# name the template knows them by; the menu's are named for the sections they lead to.
LAYOUT = {
    "skip": N_("Skip to the content"),
    "language": N_("Language"),
    "hotlines": N_("Phone lines, day and night"),
    "menu": N_("Main"),
    "home": N_("Home"),
    "report": N_("New ticket"),
    "track": N_("Track a ticket"),
    "outages": N_("Outages"),
    "stats": N_("Statistics"),
    "organisations": N_("Who does what"),
}
# The outage page's own fixed texts.
TEXTS = {
    "title": TITLE,
    "none": N_("No emergency works are going on now."),
    "elsewhere": N_("Across the city"),
    "whole_street": N_("the whole street"),
    "ticket": N_("Reported by residents"),
    "data": N_("The same data as JSON and as an Atom feed"),
}


def outage_files(deps) -> dict:
    """{path: (bytes, content type)}: the page in each language, outages.json, outages.atom,
    outages-summary.json."""
    ref, city, now = reference.load(deps.storage), deps.city, deps.clock.now()
    items = _items(deps, ref)
    files = {}

    def local(at: datetime) -> str:
        return at.astimezone(city.zone).strftime("%d.%m.%Y %H:%M")

    for lang in city.languages:
        texts = {name: translate(lang, text) for name, text in TEXTS.items()}
        texts["updated"] = translate(lang, UPDATED, time=local(now))
        groups = _groups(items, lang, texts["elsewhere"])
        files[f"{lang}/outages/index.html"] = (render(
            city, "outages.html", "outages", lang, texts, groups=groups,
            when=lambda item: translate(lang, WHEN, start=local(item["starts_at"]),
                                        end=local(item["expected_end"])),
            houses=lambda address: ", ".join(address["houses"]) or texts["whole_street"],
            name=lambda names: names[lang]), HTML)
    files["outages.json"] = (_json(items, now), JSON)
    files["outages.atom"] = (_atom(items, city, now), FEED)
    files["outages-summary.json"] = (_summary(items, now), JSON)
    return files


def render(city, template: str, section: str, lang: str, texts: dict, **context) -> bytes:
    """The page `/{lang}/{section}/` from `template` (which extends page.html), in UTF-8:
    `texts` are its own, the layout's are added, `context` goes to the template as is."""
    layout = {name: translate(lang, text) for name, text in LAYOUT.items()}
    layout["brand"] = translate(lang, BRAND, city=city.name(lang))
    return _templates().get_template(template).render(
        lang=lang, section=section, t={**layout, **texts}, csp=CONTENT_SECURITY_POLICY, city=city,
        languages=[(code, LANGUAGE_NAMES.get(code, code)) for code in city.languages],
        hotlines=[(line.number, pick(line.labels, lang, city.default_language)) for line in city.hotlines],
        **context).encode("utf-8")


@lru_cache(maxsize=1)
def _templates():
    import jinja2  # only the tick and the nightly job render pages

    return jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)), autoescape=True)


def republish_outages(deps) -> list:
    """Regenerate and publish the outage files; the paths that changed."""
    return deps.site.publish(outage_files(deps))


def outages_changed(deps) -> None:
    """Mark the outage page dirty: the minute tick republishes it. A write of its own,
    right after the notice's: should it be lost, the nightly regeneration catches up."""
    deps.storage.counters.increment(CHANGED, FOREVER)


def on_the_page(before, after) -> bool:
    """Whether a ticket's change shows on the outage page: an emergency ticket
    coming into works, leaving them, or changing (e.g. its description published) during them."""
    return after.sla_class == EMERGENCY and (before.state.value in WORKS_STATES or after.state.value in WORKS_STATES)


def republish_outages_if_changed(deps) -> list | None:
    """Republish if an outage changed since the last republish; the changed paths, or None if clean.

    Dirty while the count of changes differs from the count published. After a
    republish the published count moves to the changes it saw, so a change made
    meanwhile keeps it dirty, and two ticks racing only cost one more republish."""
    counters = deps.storage.counters
    changed, published = counters.count(CHANGED, FOREVER), counters.count(PUBLISHED, FOREVER)
    if changed == published:
        return None
    paths = republish_outages(deps)
    counters.increment(PUBLISHED, FOREVER, by=changed - published)
    return paths


def _items(deps, ref) -> list:
    """Active notices then emergency tickets in progress, as plain data with names in every language."""
    registry, catalogue, languages = ref.registry, ref.catalogue, deps.city.languages
    districts = {d.code: d for d in registry.districts}

    def names(named) -> dict:
        return {lang: named.name(lang) for lang in languages}

    def kind(code: str) -> dict:
        topic = catalogue.topic(code)
        return {"code": code, "name": names(topic) if topic else {lang: code for lang in languages}}

    def district(code: str) -> dict:
        return {"code": code, "name": names(districts[code]) if code in districts else {lang: code for lang in languages}}

    def address(street: str, houses) -> dict:
        known = registry.street(street)
        return {"street": street, "name": names(known) if known else {lang: street for lang in languages},
                "houses": list(houses)}

    items = []
    for notice in deps.storage.outages.active():
        touched = sorted({registry.street(street).district for street, _ in notice.addresses
                          if registry.street(street) is not None})
        items.append({
            "type": "notice", "id": notice.id, "kind": kind(notice.kind),
            "districts": [district(code) for code in touched],
            "title": {lang: notice.area for lang in languages}, "text": notice.reason,
            "addresses": [address(street, houses) for street, houses in notice.addresses],
            "starts_at": notice.starts_at, "expected_end": notice.expected_end, "updated_at": notice.updated_at})
    for ticket in _emergency_tickets(deps.storage.tickets):
        cause = catalogue.cause(ticket.cause)
        items.append({
            "type": "ticket", "id": ticket.id, "kind": kind(ticket.topic),
            "districts": [district(ticket.district)],
            "title": names(cause) if cause else {lang: ticket.cause for lang in languages},
            "text": ticket.description if ticket.description_public else "",
            "addresses": [address(ticket.address.street, (ticket.address.house,))],
            "starts_at": ticket.filed_at, "expected_end": ticket.due_at,
            "updated_at": ticket.updated_at or ticket.filed_at})
    return items


def _emergency_tickets(tickets) -> list:
    found, cursor = [], None
    while True:
        page, cursor = tickets.queue(QueueQuery(states=WORKS_STATES), QUEUE_PAGE, after=cursor)
        found += [ticket for ticket in page if ticket.sla_class == EMERGENCY]
        if cursor is None:
            return found


def _groups(items: list, lang: str, elsewhere: str) -> list:
    """[(district name, [(kind name, [item, ...]), ...]), ...] by name, items by start;
    an item in several districts shows in each, one touching none under `elsewhere`."""
    by_district = {}
    for item in items:
        for district in item["districts"] or [{"name": {lang: elsewhere}}]:
            kinds = by_district.setdefault(district["name"][lang], {})
            kinds.setdefault(item["kind"]["name"][lang], []).append(item)
    return [(district, [(kind, sorted(found, key=lambda item: (item["starts_at"], item["id"])))
                        for kind, found in sorted(kinds.items())])
            for district, kinds in sorted(by_district.items())]


def _public(item: dict) -> dict:
    return {**item, "starts_at": utc(item["starts_at"]), "expected_end": utc(item["expected_end"]),
            "updated_at": utc(item["updated_at"])}


def _json(items: list, now: datetime) -> bytes:
    return json.dumps({"updated_at": utc(now), "outages": [_public(item) for item in items]},
                      ensure_ascii=False, sort_keys=True, indent=1).encode("utf-8")


def _summary(items: list, now: datetime) -> bytes:
    """What the home page shows: how many works, by kind (most first); no place, no text."""
    kinds = {}
    for item in items:
        kinds.setdefault(item["kind"]["code"], {**item["kind"], "count": 0})["count"] += 1
    ordered = sorted(kinds.values(), key=lambda kind: (-kind["count"], kind["code"]))
    return json.dumps({"updated_at": utc(now), "count": len(items), "kinds": ordered},
                      ensure_ascii=False, sort_keys=True).encode("utf-8")


def _atom(items: list, city, now: datetime) -> bytes:
    import xml.etree.ElementTree as ET  # only the tick and the nightly job write the feed

    lang = city.default_language
    ET.register_namespace("", ATOM)

    def add(parent, tag: str, text: str | None = None, **attributes):
        element = ET.SubElement(parent, f"{{{ATOM}}}{tag}", attributes)
        element.text = text
        return element

    feed = ET.Element(f"{{{ATOM}}}feed", {XML_LANG: lang})
    add(feed, "id", f"tag:citydesk,2026:{city.code}:outages")
    add(feed, "title", f"{translate(lang, TITLE)} · {city.name(lang)}")
    add(feed, "updated", utc(now))
    add(add(feed, "author"), "name", translate(lang, BRAND, city=city.name(lang)))
    add(feed, "link", href=f"/{lang}/outages/", rel="alternate", type="text/html")
    for item in items:
        entry = add(feed, "entry")
        add(entry, "id", f"tag:citydesk,2026:{city.code}:{item['type']}:{item['id']}")
        add(entry, "title", f"{item['kind']['name'][lang]}: {item['title'][lang]}")
        add(entry, "updated", utc(item["updated_at"]))
        places = "; ".join(f"{a['name'][lang]} {', '.join(a['houses'])}".strip() for a in item["addresses"])
        when = translate(lang, WHEN, start=utc(item["starts_at"]), end=utc(item["expected_end"]))
        add(entry, "summary", "\n".join(part for part in (places, when, item["text"]) if part))
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True)
