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

# What the store changed about a village's flags at the year's turn (next year's setup, change sheet).
GAINED = "gained"  # a village with no group at the start of this year has one at its end
DISSOLVED = "dissolved"  # a village's last group was dissolved during the year
NOT_REPORTED = "not_reported"  # flagged as having a group, but its district reported none there
STALE = "stale"  # the district's last accepted month is older than September
KEPT = "kept"  # no accepted month this year: the district's flags are this year's, unchanged
MOVED = "moved"  # a village this year's setup re-codes (village_moves): its groups went with it
CHANGE_KINDS = (MOVED, GAINED, DISSOLVED, NOT_REPORTED, STALE, KEPT)

# A run's exit status: every file accepted; some file rejected (the month is still reported); the run could not be made.
EXIT_OK, EXIT_REJECTED, EXIT_CANNOT_RUN = 0, 1, 2
