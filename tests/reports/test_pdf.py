from datetime import UTC, datetime

from haven.reports.charts import Chart, Series
from haven.reports.pdf import Report, escape, when
from tests.reports.pdf_text import A4_POINTS, fonts_used, page_sizes, pages_text


def _report() -> Report:
    report = Report(title="Governors' report", school="Oakfield Academy",
                    subject="Autumn term")
    report.cover(lines=[("Period", "01/09/2026 to 30/11/2026")], produced_by="Sam Senior",
                 produced_at=datetime(2026, 11, 30, 8, 40, tzinfo=UTC))
    return report


def test_user_text_is_escaped_not_read_as_markup():
    assert escape("a <b>bold</b> & <br/>\nnext") == \
        "a &lt;b&gt;bold&lt;/b&gt; &amp; &lt;br/&gt;<br/>next"
    report = _report()
    report.paragraph("Amy said <Tom> & 'his friends' hit her </para>")
    report.table(["Said", "By"], [["x < y & z > w", "<i>Dina</i>"]])
    text = pages_text(report.render())[1]
    assert "Amy said <Tom> & 'his friends' hit her </para>" in text
    assert "x < y & z > w" in text and "<i>Dina</i>" in text


def test_every_page_is_marked_and_numbered():
    report = _report()
    for number in range(120):
        report.paragraph(f"Line {number} of a long report.")
    pages = pages_text(report.render())
    assert len(pages) >= 3
    for number, text in enumerate(pages, start=1):
        assert text.count("OFFICIAL-SENSITIVE") >= 2  # top and bottom
        assert f"Page {number} of {len(pages)}" in text
        assert "Oakfield Academy" in text and "Governors' report" in text


def test_the_cover_says_who_produced_it_and_when_in_the_schools_time():
    cover = pages_text(_report().render())[0]
    # 08:40 UTC on 30 November is 08:40 in London (GMT).
    assert "Sam Senior, 30/11/2026 08:40" in cover and "01/09/2026 to 30/11/2026" in cover
    assert when(datetime(2026, 7, 1, 8, 40, tzinfo=UTC), "Europe/London") == "01/07/2026 09:40"


def test_it_is_a4_with_only_embedded_fonts():
    report = _report()
    report.heading("Summary")
    report.table(["Category", "Incidents"], [["Bullying", "3"]])
    report.chart(Chart("c", "By category", "Incidents by category.", "hbar", ["Bullying"],
                       [Series("Incidents", [3])]))
    pdf = report.render()
    assert page_sizes(pdf) == {A4_POINTS}
    used = fonts_used(pdf)
    assert used and all(font["embedded"] for font in used), used
    assert not any("Helvetica" in font["name"] or "Times" in font["name"] for font in used)


def test_a_table_repeats_its_header_on_every_page():
    report = _report()
    report.table(["Incident", "Category"], [[str(n), "Bullying"] for n in range(150)])
    pages = pages_text(report.render())[1:]
    assert len(pages) >= 2 and all("Incident" in text.split("Category")[0] for text in pages)


def test_the_document_says_what_it_is():
    from io import BytesIO

    from pypdf import PdfReader

    metadata = PdfReader(BytesIO(_report().render())).metadata
    assert (metadata.title, metadata.author, metadata.subject) == (
        "Governors' report", "Haven", "Autumn term")
