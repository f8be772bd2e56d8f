"""The small-cell rule, on any figures: nothing published describes fewer than 10 people, directly or
by subtracting published figures from a published total."""

from hypothesis import given
from hypothesis import strategies as st

from creneau.stats import privacy
from creneau.stats.privacy import MIN_CELL

counts = st.integers(min_value=0, max_value=60)
parts_st = st.dictionaries(st.sampled_from("abcdefg"), counts, min_size=1, max_size=7)


@given(parts_st, st.sets(st.sampled_from("abcdefg")))
def test_a_group_never_reveals_a_small_number(parts, forced):
    total = sum(parts.values())
    total_cell, cells = privacy.group(total, parts, forced & set(parts))
    shown = {k: c.value for k, c in cells.items() if c.shown}
    # every published figure is at least MIN_CELL
    assert all(v >= MIN_CELL for v in shown.values())
    assert total_cell.suppressed or total_cell.value >= MIN_CELL
    # what is hidden, and could be found by subtraction, is none or at least MIN_CELL people
    if total_cell.shown:
        hidden = total - sum(shown.values())
        assert (hidden == 0 and len(shown) == len(parts)) or hidden >= MIN_CELL
    else:
        assert not shown  # parts alone would add up to the suppressed total
    # figures are exact when published
    assert all(parts[k] == v for k, v in shown.items())
    assert not (forced & set(parts) & set(shown))


def test_one_small_part_takes_the_smallest_other_part_with_it():
    total_cell, cells = privacy.group(45, {"renewal": 30, "first_permit": 12, "duplicate": 3})
    assert total_cell.value == 45
    assert cells["renewal"].value == 30
    assert cells["first_permit"].suppressed
    assert cells["duplicate"].suppressed


def test_a_zero_is_a_small_number_too():
    assert privacy.people(0).suppressed
    assert privacy.people(9).suppressed
    assert privacy.people(10).value == 10
    _, cells = privacy.group(25, {"a": 25, "b": 0})
    assert cells["a"].suppressed
    assert cells["b"].suppressed


@given(st.lists(st.floats(min_value=0, max_value=400, allow_nan=False), max_size=40))
def test_medians_and_percentiles_need_ten_people(values):
    for cell in (privacy.median(values), privacy.percentile(values, 90)):
        assert cell.suppressed == (len(values) < MIN_CELL)
        if cell.shown:
            assert min(values) <= cell.value <= max(values)


def test_percentile_by_nearest_rank():
    values = list(range(1, 21))
    assert privacy.percentile(values, 90).value == 18
    assert privacy.median(values).value == 10.5


def test_a_rate_needs_ten_people_on_each_side():
    assert privacy.rate(9, 100).suppressed  # 9 absent people
    assert privacy.rate(95, 100).suppressed  # 5 present people
    assert privacy.rate(10, 100).value == 0.1


def test_a_week_is_hidden_when_it_and_its_published_days_reveal_a_small_number():
    assert privacy.remainder_ok(30, [12, 18])
    assert privacy.remainder_ok(30, [12])  # 18 hidden
    assert not privacy.remainder_ok(30, [12, 11])  # 7 hidden in the other days
