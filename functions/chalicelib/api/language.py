"""The language an answer speaks, when no signed-in account says it."""

MAX_LANGUAGE_HEADER = 200


def requested_language(request, city) -> str:
    """`?lang=`, else the best of Accept-Language, else the city's default."""
    asked = (request.query_params or {}).get("lang")
    if asked in city.languages:
        return asked
    for lang in accepted_languages(request.headers.get("accept-language", "")):
        if lang in city.languages:
            return lang
    return city.default_language


def accepted_languages(header: str) -> list:
    """'uk-UA,uk;q=0.9,ru;q=0.8' -> ['uk', 'uk', 'ru']: primary tags, best first."""
    weighted = []
    for position, item in enumerate(header[:MAX_LANGUAGE_HEADER].split(",")):
        tag, _, params = item.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        if tag and quality > 0:
            weighted.append((-quality, position, tag.split("-")[0].strip().lower()))
    return [lang for _, _, lang in sorted(weighted)]
