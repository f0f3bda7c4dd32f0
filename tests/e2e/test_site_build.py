"""The static site as built: every text translated, every page in every language,
and nothing a strict Content-Security-Policy would block. No browser needed."""

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from local import build_site

ROOT = Path(__file__).resolve().parents[2]
PLACEHOLDER = re.compile(r"\{\w+\}|%\(\w+\)s")


def marked_texts() -> set:
    found = []
    for folder in (build_site.TEMPLATES, build_site.PAGES):
        found += extract_from_dir(str(folder), method_map=[("**.html", "jinja2")])
    return {message for _, _, message, _, _ in found}


def catalogue(lang: str) -> dict:
    with (build_site.LOCALE_DIR / lang / "LC_MESSAGES" / "site.po").open("rb") as po:
        return {m.id: m.string for m in read_po(po) if m.id}


@pytest.mark.parametrize("lang", ["uk", "ru", "en"])
def test_each_site_catalogue_holds_exactly_the_texts_the_pages_mark(lang):
    assert set(catalogue(lang)) == marked_texts()


@pytest.mark.parametrize("lang", ["uk", "ru"])
def test_every_site_text_is_translated_with_the_same_placeholders(lang):
    texts = catalogue(lang)
    assert [msgid for msgid, text in texts.items() if not text] == []
    assert [msgid for msgid, text in texts.items()
            if sorted(PLACEHOLDER.findall(text)) != sorted(PLACEHOLDER.findall(msgid))] == []


class Page(HTMLParser):
    """What a page says about its language and what a strict CSP would refuse in it."""

    def __init__(self, text: str):
        super().__init__()
        self.lang = None
        self.refused = []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "html":
            self.lang = attrs.get("lang")
        if tag == "script" and "src" not in attrs and attrs.get("type") != "application/json":
            self.refused.append("inline script")
        if tag == "style":
            self.refused.append("inline style")
        self.refused += [f"{tag} {name}" for name in attrs if name == "style" or name.startswith("on")]
        for name in ("src", "href"):
            if (attrs.get(name) or "").startswith(("http:", "https:", "//")):
                self.refused.append(f"third-party {attrs[name]}")


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    out = tmp_path_factory.mktemp("site")
    build_site.build(out)
    return out


def test_every_page_is_built_in_every_language_of_the_city(site):
    city = build_site.load_city()
    pages = sorted(p.name for p in build_site.PAGES.glob("*.html"))
    for lang in city.languages:
        for name in pages:
            assert Page((site / lang / name).read_text(encoding="utf-8")).lang == lang


def test_the_root_sends_to_the_default_language_without_a_script(site):
    root = (site / "index.html").read_text(encoding="utf-8")
    default = build_site.load_city().default_language
    assert f'<meta http-equiv="refresh" content="0; url=/{default}/">' in root
    assert f'href="/{default}/"' in root
    assert Page(root).refused == []


def test_no_page_holds_what_the_content_security_policy_refuses(site):
    refused = {str(path.relative_to(site)): Page(path.read_text(encoding="utf-8")).refused
               for path in site.rglob("*.html")}
    assert {path: found for path, found in refused.items() if found} == {}
    assert "'unsafe-inline'" not in build_site.CONTENT_SECURITY_POLICY


def test_the_photo_origin_given_at_build_time_may_show_images_and_take_uploads_and_nothing_else():
    bucket = "https://citydesk-photos.s3.eu-central-1.amazonaws.com"
    policy = dict(part.split(" ", 1) for part in build_site.content_security_policy(bucket).split("; "))
    assert policy["img-src"] == f"'self' blob: data: {bucket}"
    assert policy["connect-src"] == f"'self' {bucket}"
    assert policy["script-src"] == policy["style-src"] == policy["default-src"] == "'self'"
    assert "citydesk-photos" not in build_site.content_security_policy("")


def test_reading_pages_load_no_script_at_all(site):
    for lang in build_site.load_city().languages:
        assert "<script" not in (site / lang / "contacts.html").read_text(encoding="utf-8")


def test_the_home_page_loads_only_the_script_of_its_emergency_works_line(site):
    for lang in build_site.load_city().languages:
        home = (site / lang / "index.html").read_text(encoding="utf-8")
        assert re.findall(r"<script[^>]*>", home) == ['<script type="module" src="/js/home.js">']


def test_the_site_links_to_the_generated_pages_and_no_longer_builds_placeholders(site):
    for lang in build_site.load_city().languages:
        home = (site / lang / "index.html").read_text(encoding="utf-8")
        assert all(f'href="/{lang}/{name}/"' in home for name in ("outages", "stats", "organisations"))
        assert not (site / lang / "outages.html").exists() and not (site / lang / "stats.html").exists()
