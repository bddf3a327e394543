import itertools
import random

from haven.reports.figures import Compared
from haven.reports.lines import FEWER_THAN_5, HELD_BACK, lines, table


def _shown(counts: list[int]) -> list:
    return [row.current for row in lines([Compared(str(i), n, 0)
                                          for i, n in enumerate(counts)], True)]


def test_two_small_counts_take_a_larger_one_with_them():
    # 14 less 12 would leave 1 and 1; 18 less 10 would leave 4 and 4.
    assert _shown([12, 1, 1, 0]) == [HELD_BACK, FEWER_THAN_5, FEWER_THAN_5, 0]
    assert _shown([10, 4, 4]) == [HELD_BACK, FEWER_THAN_5, FEWER_THAN_5]


def test_a_count_held_back_for_another_is_not_called_fewer_than_5():
    assert _shown([7, 6, 2]) == [7, HELD_BACK, FEWER_THAN_5]


def test_nothing_is_held_back_where_nothing_is_small():
    assert _shown([7, 0, 5]) == [7, 0, 5]


def test_the_total_is_held_back_when_the_counts_cannot_hide_each_other():
    # 6 = 5 + 1: the only way to make 6 from "fewer than 5" and "5 or more".
    shown = table(Compared("all", 6, 0), [[Compared("a", 5, 0), Compared("b", 1, 0)]], True)
    assert shown.total.current == HELD_BACK
    assert [row.current for row in shown.breakdowns[0]] == [HELD_BACK, FEWER_THAN_5]


def test_no_change_is_given_where_either_count_is_held_back():
    rows = lines([Compared("a", 9, 2), Compared("b", 8, 9)], True)
    assert [(row.current, row.previous, row.change) for row in rows] == [
        (9, FEWER_THAN_5, None), (8, HELD_BACK, None)]


def _values(shown, biggest: int, *, total: bool = False) -> range:
    """What a reader can take a shown value to be."""
    if isinstance(shown, int):
        return range(shown, shown + 1)
    if shown == FEWER_THAN_5:
        return range(1, 5)
    assert shown == HELD_BACK
    return range(1 if total else 5, biggest + 1)


def _possible(total, breakdowns, biggest: int) -> list[list[set[int]]]:
    """Every value each count could have, given what is shown: every breakdown adds up to
    the one total."""
    totals = set(_values(total, biggest, total=True))
    fits = []
    for cells in breakdowns:
        fitting = [values for values in itertools.product(
            *(_values(cell, biggest) for cell in cells)) if sum(values) in totals]
        totals &= {sum(values) for values in fitting}
        fits.append(fitting)
    return [[{values[i] for values in fitting if sum(values) in totals}
             for i in range(len(cells))] for cells, fitting in zip(breakdowns, fits)]


def _partition(rng: random.Random, total: int, parts: int) -> list[int]:
    cuts = sorted(rng.randint(0, total) for _ in range(parts - 1))
    return [b - a for a, b in zip([0, *cuts], [*cuts, total])]


def test_no_count_held_back_can_be_worked_out_from_what_is_shown():
    rng = random.Random(5)
    for _ in range(400):
        total = rng.randint(0, 16)
        counts = [_partition(rng, total, rng.randint(1, 4))
                  for _ in range(rng.randint(1, 2))]
        shown = table(Compared("all", total, 0),
                      [[Compared(str(i), n, 0) for i, n in enumerate(rows)]
                       for rows in counts], True)
        cells = [[row.current for row in rows] for rows in shown.breakdowns]
        for rows, shown_rows in zip(counts, cells):
            for n, cell in zip(rows, shown_rows):
                assert cell in (n, FEWER_THAN_5 if 1 <= n <= 4 else HELD_BACK), (counts, cells)
        if isinstance(shown.total.current, str):
            assert not any(all(isinstance(cell, int) for cell in rows) for rows in cells), \
                (counts, cells)
        possible = _possible(shown.total.current, cells, biggest=total + 20)
        for shown_rows, values in zip(cells, possible):
            for cell, could_be in zip(shown_rows, values):
                if isinstance(cell, str):
                    assert len(could_be) > 1, (counts, cells, shown.total.current)
