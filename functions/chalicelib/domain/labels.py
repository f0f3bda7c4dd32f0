"""Labels shown to people are data: one text per language."""

LANGUAGES = ("uk", "ru", "en")
# Each language names itself: a reader finds their own language in any page's switch.
LANGUAGE_NAMES = {"uk": "Українська", "ru": "Русский", "en": "English"}


def pick(labels: dict, lang: str, fallback: str = "uk") -> str:
    """The label in `lang`, else the fallback language, else any."""
    return labels.get(lang) or labels.get(fallback) or next(iter(labels.values()), "")


def check(labels, where: str) -> dict:
    if not isinstance(labels, dict) or not all(isinstance(labels.get(lang), str) and labels[lang] for lang in LANGUAGES):
        raise ValueError(f"{where}: needs a label in each of {LANGUAGES}")
    return dict(labels)
