"""Sessions come from the exchange calendar package; the on-disk copy must equal it."""

from __future__ import annotations

from datetime import date, datetime, timezone

import pandas as pd

from notewriter import calendar


def test_sessions_match_the_exchange_calendar_and_survive_the_disk_cache(tmp_path, monkeypatch):
    import exchange_calendars as xcals

    monkeypatch.setenv("NOTEWRITER_CACHE_DIR", str(tmp_path))
    expected = pd.DatetimeIndex(xcals.get_calendar("XNYS", start="1995-01-03").sessions).tz_localize(None)
    first = calendar.sessions.__wrapped__("XNYS")  # computes and writes the cache
    assert list(tmp_path.glob("calendar/XNYS-*.npy"))
    second = calendar.sessions.__wrapped__("XNYS")  # read back from disk
    assert first.equals(expected) and second.equals(expected)


def test_known_holidays_and_weekends_are_not_sessions():
    for closed in ("2024-03-29", "2026-04-03", "2025-12-25", "2024-05-04"):  # Good Fridays, Christmas, a Saturday
        assert not calendar.is_session(closed)
    assert calendar.session_on_or_before("2026-04-05") == pd.Timestamp("2026-04-02")
    assert len(calendar.sessions_between("2024-04-26", "2024-05-03")) == 5


def test_last_closed_session_waits_for_the_close():
    # Fri 2026-05-01: NYSE closes 16:00 EDT = 20:00 UTC
    assert calendar.last_closed_session(datetime(2026, 5, 1, 19, 59, tzinfo=timezone.utc)) == date(2026, 4, 30)
    assert calendar.last_closed_session(datetime(2026, 5, 1, 20, 0, tzinfo=timezone.utc)) == date(2026, 5, 1)
    assert calendar.last_closed_session(datetime(2026, 5, 2, 12, 0, tzinfo=timezone.utc)) == date(2026, 5, 1)  # Sat
    # Good Friday 2026-04-03 is a holiday: on Saturday Apr 4 the last session is Thursday Apr 2
    assert calendar.last_closed_session(datetime(2026, 4, 4, 12, tzinfo=timezone.utc)) == date(2026, 4, 2)
    # the day after Thanksgiving closes early, at 13:00 EST = 18:00 UTC
    assert calendar.last_closed_session(datetime(2025, 11, 28, 17, 59, tzinfo=timezone.utc)) == date(2025, 11, 26)
    assert calendar.last_closed_session(datetime(2025, 11, 28, 18, 0, tzinfo=timezone.utc)) == date(2025, 11, 28)
    assert calendar.last_closed_session(datetime(2026, 5, 1, 20, 0)) == date(2026, 5, 1)  # naive is UTC


def test_sessions_between_counts_sessions_after_the_start():
    # (Thu 2026-04-02, Tue 2026-04-07]: Good Friday is closed, then Mon 6 and Tue 7
    assert [d.date() for d in calendar.sessions_between(date(2026, 4, 2), date(2026, 4, 7))] == \
        [date(2026, 4, 6), date(2026, 4, 7)]
    assert len(calendar.sessions_between(date(2026, 4, 7), date(2026, 4, 2))) == 0
