"""Page weight: what a phone downloads for each built page, gzip-compressed (level 9).

A page's weight is its HTML plus every same-origin stylesheet and script it loads,
module imports followed. The home page's critical bytes are its HTML plus what its
<head> loads (stylesheets and scripts): what must arrive before it can show, which
should fit the first round trip (14 KB, TCP's initial window of 10 segments).
"""

import gzip
import re
from html.parser import HTMLParser
from pathlib import Path

PAGE_LIMIT = 50_000
HOME_CRITICAL_LIMIT = 14_336
SITE = Path(__file__).resolve().parents[1] / "build" / "site"
# Static `import ... from "./x.js"` and `import "./x.js"` in our modules.
IMPORT = re.compile(r"""^\s*(?:import|export)\b[^"']*?(?:from\s*)?["'](\.{1,2}/[^"']+)["']""", re.MULTILINE)


class Assets(HTMLParser):
    """The same-origin stylesheets and scripts a page names, and which are in its head."""

    def __init__(self, text: str):
        super().__init__()
        self.found = []
        self.in_head = []
        self._head = True
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "body":
            self._head = False
        url = None
        if tag == "link" and attrs.get("rel") == "stylesheet":
            url = attrs.get("href")
        elif tag == "script" and attrs.get("src"):
            url = attrs["src"]
        if url and url.startswith("/") and not url.startswith("//"):
            self.found.append(url)
            if self._head:
                self.in_head.append(url)


def gz(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=9, mtime=0))


def with_imports(site: Path, urls: list) -> list:
    """`urls` and every module they import, each once, as site paths."""
    seen = []
    pending = list(urls)
    while pending:
        url = pending.pop(0)
        if url in seen:
            continue
        seen.append(url)
        if url.endswith(".js"):
            text = (site / url.lstrip("/")).read_text(encoding="utf-8")
            base = url.rsplit("/", 1)[0]
            for relative in IMPORT.findall(text):
                pending.append(_join(base, relative))
    return seen


def _join(base: str, relative: str) -> str:
    parts = base.split("/")
    for piece in relative.split("/"):
        if piece == "..":
            parts.pop()
        elif piece != ".":
            parts.append(piece)
    return "/".join(parts)


def page_bytes(site: Path, page: Path, critical_only: bool = False) -> int:
    html = page.read_bytes()
    assets = Assets(html.decode("utf-8"))
    urls = with_imports(site, assets.in_head if critical_only else assets.found)
    return gz(html) + sum(gz((site / url.lstrip("/")).read_bytes()) for url in urls)


def measure(site: Path = SITE) -> dict:
    pages = {str(page.relative_to(site)): page_bytes(site, page) for page in sorted(site.rglob("*.html"))}
    # The home page in each language (not /admin/, the staff page); the heaviest counts.
    homes = sorted(page for page in site.glob("*/index.html") if page.parent.name != "admin")
    return {
        "page_bytes": pages,
        "max_page_bytes": max(pages.values()),
        "home_critical_bytes": max(page_bytes(site, page, critical_only=True) for page in homes),
    }
