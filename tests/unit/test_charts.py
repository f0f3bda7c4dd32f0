"""Server-drawn SVG charts: well-formed images that describe themselves, drawn to
scale, coloured by class, whatever the labels hold."""

import xml.etree.ElementTree as ET

from chalicelib.services import charts

SVG = "{http://www.w3.org/2000/svg}"


def test_a_bar_chart_is_an_image_with_its_title_and_description():
    chart = ET.fromstring(charts.bars("done", "Deadlines met", "The share done in time.", [("Vodokanal", 0.5, "50%")]))

    assert chart.tag == f"{SVG}svg" and chart.get("role") == "img"
    assert chart.get("aria-labelledby") == "done-title done-desc"
    assert (chart.find(f"{SVG}title").get("id"), chart.find(f"{SVG}title").text) == ("done-title", "Deadlines met")
    assert (chart.find(f"{SVG}desc").get("id"), chart.find(f"{SVG}desc").text) == ("done-desc", "The share done in time.")


def test_bars_are_drawn_to_scale_against_the_maximum_given_or_the_largest_value():
    def widths(svg: str) -> list:
        return [float(rect.get("width")) for rect in ET.fromstring(svg).iter(f"{SVG}rect")]

    span = charts.WIDTH - charts.LABEL_WIDTH - charts.VALUE_WIDTH
    assert widths(charts.bars("a", "t", "d", [("x", 2, "2"), ("y", 4, "4")])) == [span / 2, span]
    assert widths(charts.bars("a", "t", "d", [("x", 2.5, "2.5")], maximum=5)) == [span / 2]


def test_labels_are_escaped_and_long_ones_shortened():
    long_name = "КП «Дніпроводоканал» & <partners> of the city water network"
    chart = ET.fromstring(charts.bars("a", "<t>", "d & e", [(long_name, 1, "1 < 2")]))

    label, figure = [text.text for text in chart.iter(f"{SVG}text")]
    assert label == long_name[:charts.MAX_LABEL - 1] + "…"
    assert figure == "1 < 2" and chart.find(f"{SVG}title").text == "<t>"


def test_stacked_columns_draw_each_series_in_its_class_with_the_totals_on_top():
    svg = charts.columns("filed", "Tickets", "By month", ["Oct\n2026", "Nov\n2026"],
                         [("Water", [2, 1]), ("Heating", [2, 0])])
    chart = ET.fromstring(svg)

    rects = list(chart.iter(f"{SVG}rect"))
    assert [(rect.get("class"), rect.find(f"{SVG}title").text) for rect in rects] == [
        ("series-0", "Water: 2"), ("series-1", "Heating: 2"), ("series-0", "Water: 1")]
    assert float(rects[0].get("height")) + float(rects[1].get("height")) == charts.COLUMN_AREA
    assert [text.text for text in chart.iter(f"{SVG}text")] == ["4", "Oct", "2026", "1", "Nov", "2026"]


def test_series_beyond_the_palette_reuse_its_classes():
    series = [(f"topic {n}", [1]) for n in range(charts.SERIES_CLASSES + 1)]

    classes = [rect.get("class") for rect in ET.fromstring(charts.columns("a", "t", "d", ["m"], series)).iter(f"{SVG}rect")]
    assert classes[-1] == classes[0] == "series-0"


def test_charts_of_nothing_are_still_well_formed_and_use_no_inline_style():
    for svg in (charts.bars("a", "t", "d", []), charts.columns("b", "t", "d", ["m"], [("x", [0])])):
        chart = ET.fromstring(svg)
        assert all(element.get("style") is None for element in chart.iter())
        assert "style=" not in svg
