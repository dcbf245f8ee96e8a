"""Sessions come from the exchange calendar package; the on-disk copy must equal it."""

from __future__ import annotations

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
