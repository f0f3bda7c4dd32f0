"""The lists the forms are built from, and the health probe."""

import pytest


@pytest.fixture
def categories(api):
    return {lang: api.json(api.get(f"/api/categories?lang={lang}")) for lang in ("uk", "ru", "en")}


def test_categories_come_in_three_languages_with_the_same_codes_and_deadlines(categories):
    def skeleton(topics):
        return [(t["code"], [(c["code"], c["sla_class"], c["sla_hours"]) for c in t["causes"]]) for t in topics]

    assert skeleton(categories["uk"]) == skeleton(categories["ru"]) == skeleton(categories["en"])
    names = {lang: [t["name"] for t in topics] for lang, topics in categories.items()}
    assert names["uk"][0] == "Водопостачання" and names["ru"][0] == "Водоснабжение" and names["en"][0] == "Water supply"
    assert len(set(names["uk"]) & set(names["en"])) == 0


def test_each_cause_carries_the_hours_of_its_class_and_any_advice(categories):
    causes = {c["code"]: c for t in categories["en"] for c in t["causes"]}
    hours = {"emergency": 6, "short": 24, "medium": 72, "long": 168}
    assert all(c["sla_hours"] == hours[c["sla_class"]] for c in causes.values())
    assert causes["gas.smell"]["sla_hours"] == 6 and "104" in causes["gas.smell"]["advice"]
    assert causes["water.low-pressure"]["advice"] is None
    assert sorted(causes["water.low-pressure"]) == ["advice", "code", "name", "sla_class", "sla_hours"]


def test_accept_language_chooses_when_the_query_does_not(api):
    by_header = api.json(api.get("/api/categories", headers={"Accept-Language": "ru-RU,ru;q=0.9"}))
    assert by_header[0]["name"] == "Водоснабжение"
    assert api.json(api.get("/api/categories?lang=xx"))[0]["name"] == "Водопостачання"


@pytest.mark.parametrize("query", ["яворн", "ЯВОРН", "Яворниц", "yavornytskoho", "Дмитрия"])
def test_streets_are_found_by_part_of_their_name_in_any_language_and_any_case(api, query):
    found = api.json(api.get(f"/api/streets?q={query}&lang=en"))
    assert found == [{"code": "yavornytskoho-ave", "name": "Dmytra Yavornytskoho Avenue",
                      "district": {"code": "tsentralnyi", "name": "Tsentralnyi District"}}]


def test_the_street_list_is_short_and_empty_when_nothing_matches(api):
    assert len(api.json(api.get("/api/streets"))) == 20
    assert api.json(api.get("/api/streets?q=zzzz")) == []


def test_health_answers_ok(api):
    answer = api.get("/api/health")
    assert answer.status_code == 200 and api.json(answer) == {"status": "ok"}
