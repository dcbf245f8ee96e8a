"""The track record: the calls every note makes, recorded point in time, and later scored against prices.

`calls` reads a composed note into its calls, `store` keeps them in SQLite, `build` writes the calls of a
universe over a range of dates, `prices` measures forward returns as known at a date, `stats` holds the
statistics, `score` scores the calls due by a date, `report` prints the scores, and `record` turns a fund's
scored record into facts a note may cite.
"""
