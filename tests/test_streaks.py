"""Streaks across years (SPEC §13.4), on panels written by hand: renamed units keep
their streaks, mergers, block changes and missing years end them."""

from __future__ import annotations

from decimal import Decimal as D

from cchc_cli.streaks import BAND, RISING, TOP, Panel, UnitYear, notable


def year(y: int, code: str, rank: int | None, index: str | None = "80", band: str = "Tốt",
         block: str = "so-nganh", previous: tuple[str, ...] = ()) -> UnitYear:
    return UnitYear(year=y, code=code, name=f"Đơn vị {code}", block=block, rank=rank,
                    index=D(index) if index is not None else None, band=band,
                    previous_codes=previous)


def streaks(panel: Panel, code: str) -> dict[str, tuple[int, str]]:
    return {s.kind: (s.years, s.text) for s in panel.current_streaks()[code]}


def test_first_place_for_three_years_and_a_band_kept():
    panel = Panel([year(2021, "A", 1, band="Xuất sắc"), year(2022, "A", 1, band="Tốt"),
                   year(2023, "A", 1, band="Xuất sắc")])
    # Rank 1 in 2021, 2022, 2023: three years. The band changed in 2022: one year of
    # Xuất sắc, which is not a streak. The rank never improved: no rising streak.
    assert streaks(panel, "A") == {TOP: (3, "đứng đầu khối năm thứ 3 liên tiếp")}


def test_rising_counts_the_years_whose_rank_beat_the_year_before():
    panel = Panel([year(2019, "A", 2), year(2020, "A", 9), year(2021, "A", 7),
                   year(2022, "A", 4), year(2023, "A", 3)])
    # 9 → 7 (2021), 7 → 4 (2022), 4 → 3 (2023): three years; 2 → 9 in 2020 broke it.
    # The band (Tốt) is the same in all five years.
    assert streaks(panel, "A") == {RISING: (3, "3 năm liên tiếp tăng bậc"),
                                   BAND: (5, "xếp loại Tốt năm thứ 5 liên tiếp")}


def test_a_single_year_is_not_a_streak():
    panel = Panel([year(2022, "A", 5, band="Khá"), year(2023, "A", 1, band="Tốt")])
    # First place and Tốt for one year only; rising for one year (5 → 1) only.
    assert streaks(panel, "A") == {}


def test_a_renamed_unit_keeps_its_streaks():
    panel = Panel([year(2021, "OLD", 1), year(2022, "OLD", 1),
                   year(2023, "NEW", 1, previous=("OLD",))])
    assert streaks(panel, "NEW")[TOP] == (3, "đứng đầu khối năm thứ 3 liên tiếp")
    series = panel.series_of(panel.years[2023]["NEW"])
    assert [e.code for e in series.years] == ["OLD", "OLD", "NEW"]


def test_a_merger_ends_every_streak_but_the_history_keeps_the_own_code():
    panel = Panel([year(2021, "A", 1), year(2022, "A", 1), year(2022, "B", 2),
                   year(2023, "A", 1, previous=("A", "B"))])
    # A absorbed B in 2023: the years before are shown, the streaks start again.
    assert streaks(panel, "A") == {}
    series = panel.series_of(panel.years[2023]["A"])
    assert [(e.year, e.code) for e in series.years] == [(2021, "A"), (2022, "A"), (2023, "A")]
    assert series.links == ["same", "merged"]
    # B no longer exists: it is listed from its own last year, after the current units.
    listed = [(s.last.year, s.last.code) for s in panel.all_series()]
    assert listed == [(2023, "A"), (2022, "B")]


def test_a_merger_into_a_new_code_has_no_earlier_years():
    panel = Panel([year(2022, "X1", 1), year(2022, "X2", 2),
                   year(2023, "X", 1, previous=("X1", "X2"))])
    assert [e.code for e in panel.series_of(panel.years[2023]["X"]).years] == ["X"]


def test_a_change_of_block_or_a_missing_year_ends_the_streaks():
    moved = Panel([year(2021, "A", 1), year(2022, "A", 1),
                   year(2023, "A", 1, block="huyen")])
    assert streaks(moved, "A") == {}
    gap = Panel([year(2020, "A", 1), year(2021, "A", 1), year(2023, "A", 1)])
    # 2022 is not recorded: 2023 stands alone.
    assert streaks(gap, "A") == {}


def test_ties_at_the_top_and_unranked_years():
    panel = Panel([year(2022, "A", 1), year(2022, "B", 1), year(2023, "A", 1),
                   year(2023, "B", 1), year(2022, "C", 3), year(2023, "C", None, None)])
    # A and B share first place both years: both are "đứng đầu khối".
    assert streaks(panel, "A")[TOP][0] == streaks(panel, "B")[TOP][0] == 2
    # C was not ranked in 2023 (an error): no rank streak; its band is kept only if
    # the year has one.
    assert TOP not in streaks(panel, "C") and RISING not in streaks(panel, "C")


def test_notable_streaks_leave_out_long_runs_of_ordinary_bands():
    panel = Panel([year(2022, "A", 2, band="Tốt"), year(2023, "A", 1, band="Tốt"),
                   year(2022, "B", 1, band="Xuất sắc"), year(2023, "B", 1, band="Xuất sắc")])
    assert [s.kind for s in notable(panel.current_streaks()["A"], "Xuất sắc")] == []
    assert [s.kind for s in notable(panel.current_streaks()["B"], "Xuất sắc")] == [TOP, BAND]
