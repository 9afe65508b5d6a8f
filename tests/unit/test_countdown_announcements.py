"""When the guest's countdown is told to a screen reader: at marks of seconds left, not every second."""

from __future__ import annotations

from hygate_app.services.guest_sessions import spoken_marks


def test_a_long_session_is_told_every_five_minutes_then_each_minute_then_at_30_and_10_seconds():
    assert spoken_marks(30 * 60) == [10, 30, 60, 120, 180, 240, 300, 600, 900, 1200, 1500, 1800]


def test_a_session_not_on_a_five_minute_boundary_has_no_mark_beyond_its_length():
    marks = spoken_marks(17 * 60)
    assert max(marks) == 900
    assert marks == sorted(set(marks))


def test_a_short_session_is_still_told_each_minute_and_near_the_end():
    assert spoken_marks(60)[:3] == [10, 30, 60]
    assert all(mark <= 300 for mark in spoken_marks(4 * 60))


def test_marks_are_never_closer_than_twenty_seconds_nor_more_than_five_minutes_apart():
    marks = spoken_marks(8 * 3600)
    gaps = [later - earlier for earlier, later in zip(marks, marks[1:], strict=False)]
    assert min(gaps) >= 20 and max(gaps) <= 300
