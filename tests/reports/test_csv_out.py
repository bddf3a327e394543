"""Every report's CSV: no cell a spreadsheet would run as a formula, however it starts."""

import pytest

from haven.reports.csv_out import csv_text, neutralised


@pytest.mark.parametrize("cell", [
    "=1+1", "+1", "-2", "@SUM(A1)", "\t=1", "\r=1", "\n=1+1",
    " =1+1", "\u00a0=1", "\u3000=1", "＝1+1", "＋1", "－1", "＠SUM",
])
def test_text_that_could_be_a_formula_is_made_plain_text(cell):
    assert neutralised(cell) == "'" + cell


@pytest.mark.parametrize("cell", ["Bullying", "a = b", "", " spaced", 12, -3, 2.5])
def test_anything_else_is_written_as_it_is(cell):
    assert neutralised(cell) == cell


def test_the_file_has_a_bom_and_crlf_line_ends():
    assert csv_text([["a", "b"], ["=c", 1]]) == "\ufeffa,b\r\n'=c,1\r\n"
