import xml.etree.ElementTree as ET

from haven.reports.charts import SCREEN_FONT_SIZE, Chart, Series, as_json, drawing, svg

SVG = "{http://www.w3.org/2000/svg}"


def _incidents_by_month(**changes) -> Chart:
    fields = {"key": "months", "title": "Incidents per month",
              "description": "Incidents recorded each month from September to November.",
              "kind": "bar", "labels": ["Sep 2026", "Oct 2026", "Nov 2026"],
              "series": [Series("Incidents", [2, None, 5])], "unit": "incidents"}
    return Chart(**{**fields, **changes})


def test_the_svg_names_itself_for_screen_readers():
    root = ET.fromstring(svg(_incidents_by_month()))
    assert root.get("role") == "img"
    labelled_by = root.get("aria-labelledby").split()
    texts = {element.get("id"): element.text for element in root.iter()
             if element.tag in (f"{SVG}title", f"{SVG}desc")}
    assert [texts[i] for i in labelled_by] == [
        "Incidents per month", "Incidents recorded each month from September to November."]


def test_the_svg_scales_to_its_container_and_keeps_its_text():
    drawn = svg(_incidents_by_month())
    root = ET.fromstring(drawn)
    assert root.get("viewBox") == "0 0 340 240" and root.get("width") == "100%"
    assert "height" not in root.attrib
    assert {"Sep 2026", "Nov 2026"} <= {t.text for t in root.iter(f"{SVG}text")}
    assert "<script" not in drawn and "<!DOCTYPE" not in drawn and "http://www.w3.org/TR" \
        not in drawn


def test_on_screen_its_text_is_large_enough_to_read_on_a_phone():
    # The viewBox is about a phone's width in CSS pixels: its text is drawn at about that
    # many pixels there.
    sizes = {t.get("font-size") for t in ET.fromstring(svg(_incidents_by_month()))
             .iter(f"{SVG}text")}
    assert sizes == {f"{SCREEN_FONT_SIZE}px"}


def test_long_bar_labels_are_shortened_on_screen_and_many_bars_make_it_taller():
    name = "Child criminal exploitation and county lines"
    chart = _incidents_by_month(kind="hbar", labels=[name, "Bullying"],
                                series=[Series("Incidents", [3, 4])])
    root = ET.fromstring(svg(chart))
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert "Bullying" in texts and name not in texts
    assert any(t.startswith("Child criminal") and t.endswith("…") for t in texts)
    many = _incidents_by_month(kind="hbar", labels=[f"Category {n}" for n in range(20)],
                               series=[Series("This year", list(range(20))),
                                       Series("Last year", list(range(20)))])
    height = float(ET.fromstring(svg(many)).get("viewBox").split()[3])
    assert height >= 20 * 2 * 13  # a row of 13 points for each bar


def test_two_years_of_months_on_screen_label_every_other_month_or_fewer():
    months = [f"{m} {y}" for y in (2025, 2026) for m in ("Jan", "Feb", "Mar", "Apr", "May",
                                                         "Jun", "Jul", "Aug", "Sep", "Oct",
                                                         "Nov", "Dec")]
    chart = _incidents_by_month(labels=months, series=[Series("Incidents", [1] * 24)])
    shown = [m for m in months if m in {t.text for t in ET.fromstring(svg(chart))
                                        .iter(f"{SVG}text")}]
    assert shown[0] == "Jan 2025" and 4 <= len(shown) <= 12
    three = _incidents_by_month()
    assert {"Sep 2026", "Oct 2026", "Nov 2026"} <= {
        t.text for t in ET.fromstring(svg(three)).iter(f"{SVG}text")}


def test_labels_too_wide_for_their_share_of_the_width_are_slanted_on_screen():
    # Six months fit side by side in the PDF, not at the screen's larger text.
    months = ["Sep 2025", "Oct 2025", "Nov 2025", "Dec 2025", "Jan 2026", "Feb 2026"]
    chart = _incidents_by_month(labels=months, series=[Series("Incidents", [1] * 6)])
    slant = "matrix(0.819152,0.573576"  # 35 degrees
    assert svg(chart).count(slant) == 6
    assert _pdf_svg(chart).count(slant) == 0


def test_the_pdf_labels_many_months_sparsely_and_shortens_very_long_bar_labels():
    # What the screen does for legibility the PDF does too, at its own size: five years of
    # months would otherwise overprint each other, and a label wider than the room left
    # of the bars would run off the page.
    months = [f"{m:02d}/{y}" for y in range(2021, 2026) for m in range(1, 13)]
    texts = _texts(_pdf_svg(_incidents_by_month(labels=months,
                                                series=[Series("Incidents", [1] * 60)])))
    shown = [t for t in texts if t in months]
    assert shown[0] == "01/2021" and 10 <= len(shown) < 60
    name = "Local authority designated officer (LADO) referral after an allegation"
    texts = _texts(_pdf_svg(_incidents_by_month(kind="hbar", labels=[name, "Bullying"],
                                                series=[Series("Incidents", [2, 3])])))
    assert "Bullying" in texts
    assert any(t.startswith("Local authority") and t.endswith("…") for t in texts)


def _pdf_svg(chart: Chart) -> str:
    """The PDF's drawing of the chart (its size and text), as SVG to read back."""
    from reportlab.graphics import renderSVG

    return renderSVG.drawToString(drawing(chart))


def _texts(drawn: str) -> list[str]:
    return [t.text for t in ET.fromstring(drawn).iter(f"{SVG}text")]


def test_two_charts_on_one_page_have_ids_of_their_own():
    ids = [{e.get("id") for e in ET.fromstring(svg(_incidents_by_month(key=key))).iter()
            if e.get("id")} for key in ("a", "b")]
    assert ids[0] and not ids[0] & ids[1]


def test_every_kind_draws_with_several_series_and_gaps():
    for kind in ("bar", "hbar", "line"):
        chart = _incidents_by_month(kind=kind, series=[
            Series("Bullying", [1, None, 2]), Series("Wellbeing", [None, None, None])])
        texts = {t.text for t in ET.fromstring(svg(chart)).iter(f"{SVG}text")}
        assert {"Bullying", "Wellbeing"} <= texts, kind  # the legend


def test_a_chart_with_nothing_to_show_says_so():
    for empty in (_incidents_by_month(labels=[], series=[]),
                  _incidents_by_month(series=[Series("Incidents", [None, None, None])])):
        assert "No data to show" in svg(empty)


def test_as_json_carries_the_table_alternative_with_the_svg():
    body = as_json(_incidents_by_month())
    assert body["labels"] == ["Sep 2026", "Oct 2026", "Nov 2026"]
    assert body["series"] == [{"name": "Incidents", "values": [2, None, 5]}]
    assert body["unit"] == "incidents" and body["svg"].startswith("<svg")


def test_the_svg_has_no_style_attribute_that_the_content_security_policy_would_refuse():
    for kind in ("bar", "hbar", "line"):
        root = ET.fromstring(svg(_incidents_by_month(kind=kind)))
        assert not [e for e in root.iter() if e.get("style") is not None], kind
        assert root.find(f".//{SVG}text").get("font-family") == "Vera, Verdana, sans-serif"
        assert any(e.get("fill", "").startswith("rgb(") for e in root.iter()), kind
