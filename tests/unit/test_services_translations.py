"""The messages catalogue: every text the code marks is translated, every error
the code raises has a message, and every message gets the values it names."""

import ast
import string
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from chalicelib import i18n
from chalicelib.api import errors

CHALICELIB = Path(__file__).resolve().parents[2] / "functions" / "chalicelib"
LOCALE = CHALICELIB / "locale"
ERROR_CLASSES = {"DomainError", "InvalidInput", "IllegalTransition", "StaleVersion", "AlreadyExists", "NotFound",
                 "Unauthenticated", "Forbidden", "TooManyRequests", "SmsUnavailable", "BadJson", "TooLarge"}


def placeholders(text: str) -> set:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def marked_texts() -> set:
    found = extract_from_dir(str(CHALICELIB), method_map=[("**.py", "python")],
                             keywords={"N_": None, "translate": (2,)})
    return {message for _, _, message, _, _ in found}


def catalogue(lang: str) -> dict:
    with (LOCALE / lang / "LC_MESSAGES" / "messages.po").open("rb") as po:
        return {m.id: m.string for m in read_po(po) if m.id}


def raised_errors():
    """(file, line, message id, keyword names) of every domain error the code raises."""
    for path in sorted(CHALICELIB.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call) \
                    and getattr(node.exc.func, "id", None) in ERROR_CLASSES and node.exc.args \
                    and isinstance(node.exc.args[0], ast.Constant):
                keywords = {k.arg for k in node.exc.keywords}
                if node.exc.func.id == "InvalidInput":
                    keywords.add("field")
                yield f"{path.name}:{node.lineno}", node.exc.args[0].value, keywords


@pytest.mark.parametrize("lang", ["uk", "ru", "en"])
def test_each_catalogue_holds_exactly_the_texts_the_code_marks(lang):
    assert set(catalogue(lang)) == marked_texts()


@pytest.mark.parametrize("lang", ["uk", "ru"])
def test_every_text_is_translated_with_the_same_placeholders(lang):
    translations = catalogue(lang)
    untranslated = [msgid for msgid, text in translations.items() if not text]
    assert untranslated == []
    assert [msgid for msgid, text in translations.items() if placeholders(text) != placeholders(msgid)] == []


def test_the_english_catalogue_leaves_the_english_ids_as_they_are():
    assert set(catalogue("en").values()) == {""}


def test_the_code_raises_errors_and_every_one_has_a_message_given_the_values_it_names():
    raised = list(raised_errors())
    assert len(raised) > 30
    missing = [(where, message_id) for where, message_id, _ in raised if message_id not in errors.MESSAGES]
    assert missing == []
    unfilled = [(where, message_id, placeholders(errors.MESSAGES[message_id]) - keywords)
                for where, message_id, keywords in raised if placeholders(errors.MESSAGES[message_id]) - keywords]
    assert unfilled == []


def test_every_kind_of_error_has_a_generic_message_and_a_status():
    kinds = [errors.BadJson, errors.TooLarge, *errors.STATUS]
    assert all(kind.code in errors.MESSAGES for kind in kinds)
    assert set(errors.CHALICE_CODES.values()) <= set(errors.MESSAGES)


def test_a_translation_fills_its_placeholders():
    assert i18n.translate("uk", "Wrong code. Tries left: {tries_left}.", tries_left=3) == \
        "Неправильний код. Залишилося спроб: 3."
    assert i18n.translate("en", "Wrong code. Tries left: {tries_left}.", tries_left=3) == "Wrong code. Tries left: 3."


def test_a_missing_compiled_catalogue_fails_loudly_instead_of_answering_in_english(monkeypatch, tmp_path):
    monkeypatch.setattr(i18n, "LOCALE_DIR", tmp_path)
    i18n._catalogue.cache_clear()
    try:
        with pytest.raises(RuntimeError, match="pybabel compile"):
            i18n.translate("uk", "Not found.")
    finally:
        i18n._catalogue.cache_clear()
