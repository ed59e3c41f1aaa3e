"""The statuses every stage shares, as constants: a figure's standing against its target, what
happened to a district's report, and how it arrived. Their words are in `texts` (sections
"target", "report", "timeliness"); a status is never a bare string anywhere else.
"""

from __future__ import annotations

from generator.core import texts

# สถานะเทียบเป้าหมาย
# NOT_REACHED is final: the phase (or the year) is over and its target was not reached.
REACHED, ON_TRACK, BEHIND, NOT_STARTED = "reached", "on_track", "behind", "not_started"
NOT_REACHED = "not_reached"
STATUS_TH, STATUS_EN = texts.section("target", "th"), texts.section("target", "en")

# What happened to a district's report this month.
# A file replaced by a later file of the same district is SUPERSEDED (issue 11).
ACCEPTED, REJECTED, MISSING, SUPERSEDED = "accepted", "rejected", "missing", "superseded"
REPORT_TH = texts.section("report", "th")

# How a district's report of one month arrived, for the district × month grid: an accepted report
# is on time when the file counted was received on or before the due day of that month's phase.
ON_TIME, LATE = "on_time", "late"
TIMELINESS = (ON_TIME, LATE, REJECTED, MISSING)
TIMELINESS_TH, TIMELINESS_EN = texts.section("timeliness", "th"), texts.section("timeliness", "en")
