"""Build the static site: every page of site/pages/ in each of the city's languages.

    python -m local.build_site [--out build/site]

Texts come from the "site" gettext domain; compile it first with
`pybabel compile -d functions/chalicelib/locale -D site` (the Makefile does).
"""

import argparse
import json
import os
import shutil
from pathlib import Path

from babel.support import Translations
from jinja2 import Environment, FileSystemLoader

from chalicelib.domain import labels
from chalicelib.domain.city import City

ROOT = Path(__file__).resolve().parent.parent
SITE = ROOT / "site"
PAGES = SITE / "pages"
TEMPLATES = ROOT / "templates"
LOCALE_DIR = ROOT / "functions" / "chalicelib" / "locale"
DATA_DIR = ROOT / "functions" / "chalicelib" / "data"
OUT = ROOT / "build" / "site"
DOMAIN = "site"
ASSETS = ("css", "js", "favicon.svg")
STAFF_PAGE = "admin/index.html"

# Every page states it in a <meta> and the servers send it as a header: our own origin
# only, no inline script or style, no third party. Photos are the one exception: on
# AWS they live in a private bucket, reached through presigned URLs on the bucket's
# origin, so that origin (CITYDESK_PHOTO_ORIGIN at build time) may be shown (img-src)
# and posted to (connect-src). Thumbnails of photos not yet sent are data: URLs.
PHOTO_ORIGIN = os.environ.get("CITYDESK_PHOTO_ORIGIN", "").strip()


def content_security_policy(photo_origin: str = PHOTO_ORIGIN) -> str:
    extra = f" {photo_origin}" if photo_origin else ""
    return "; ".join((
        "default-src 'self'", "script-src 'self'", "style-src 'self'", f"img-src 'self' blob: data:{extra}",
        f"connect-src 'self'{extra}", "font-src 'self'", "object-src 'none'", "base-uri 'none'",
        "form-action 'self'",
    ))


CONTENT_SECURITY_POLICY = content_security_policy()
HEADER_POLICY = CONTENT_SECURITY_POLICY + "; frame-ancestors 'none'"


def load_city() -> City:
    return City.from_data(json.loads((DATA_DIR / "city.json").read_text(encoding="utf-8")))


def translations(lang: str) -> Translations:
    mo = LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.mo"
    if not mo.exists():
        raise SystemExit(f"{mo} is missing: run `pybabel compile -d {LOCALE_DIR} -D {DOMAIN}` first")
    return Translations.load(str(LOCALE_DIR), [lang], domain=DOMAIN)


def environment(city: City, lang: str) -> Environment:
    env = Environment(
        loader=FileSystemLoader([str(TEMPLATES), str(PAGES)]),
        autoescape=True, extensions=["jinja2.ext.i18n"], keep_trailing_newline=True,
    )
    env.install_gettext_translations(translations(lang), newstyle=True)
    env.policies["json.dumps_kwargs"] = {"sort_keys": True, "ensure_ascii": False}
    env.globals.update(
        city=city, lang=lang, csp=CONTENT_SECURITY_POLICY,
        languages=[(code, labels.LANGUAGE_NAMES.get(code, code)) for code in city.languages],
        label=lambda texts: labels.pick(texts, lang, city.default_language),
    )
    return env


def build(out: Path = OUT) -> None:
    """Write the site to `out`, replacing what was there."""
    city = load_city()
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)

    def write(path: Path, text: str):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")

    # A page in a folder (admin/index.html) is served as the folder: /uk/admin/.
    pages = sorted(p.relative_to(PAGES).as_posix() for p in PAGES.rglob("*.html"))
    for lang in city.languages:
        env = environment(city, lang)
        for name in pages:
            write(out / lang / name, env.get_template(name).render(page_path=name.removesuffix("index.html")))
    default = environment(city, city.default_language)
    write(out / "index.html", default.get_template("root.html").render())
    # Staff are given one short address; it opens in the city's language, which they can switch.
    write(out / STAFF_PAGE, default.get_template(STAFF_PAGE).render(page_path=STAFF_PAGE.removesuffix("index.html")))
    for asset in ASSETS:
        source = SITE / asset
        if source.is_dir():
            shutil.copytree(source, out / asset)
        else:
            shutil.copy2(source, out / asset)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    build(args.out)
    print(f"site: {sum(1 for path in args.out.rglob('*') if path.is_file())} files in {args.out}")


if __name__ == "__main__":
    main()
