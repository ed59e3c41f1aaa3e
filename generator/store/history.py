"""The province's history store: every file received, every accepted row and every problem, by month.

One SQLite file per province (beside the outputs unless given). It answers what the monthly run
cannot know from one inbox: when a file was first seen (timeliness), what a district last reported
(carry-forward and the month-on-month checks), which code a group was given (stable codes) and
how every earlier month of the year went (the reporting grid).

A run writes inside one transaction, begun with ``BEGIN IMMEDIATE`` so that a second run on the
same store waits for the first and then refuses instead of interleaving; a run that fails rolls
back and leaves the store as it was. The schema is versioned with ``PRAGMA user_version`` and
brought up to date by the migrations below, in order, each in its own transaction.
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from generator.core.lazy import LazyModule
from generator.core.periods import Period, fiscal_year_bounds
from generator.core.statuses import LATE, ON_TIME

pd = LazyModule("pandas", globals(), "pd")  # imported at first use (see generator.core.lazy)

# Each entry takes the store from version i to i + 1. Never edit one that has shipped: add another.
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE store_info (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    -- Every file seen in a month's inbox. received_at is set when the file is first seen and
    -- never changed. status is that of the month's latest run.
    CREATE TABLE files (
        period TEXT NOT NULL, sha256 TEXT NOT NULL, file_name TEXT NOT NULL, district_code TEXT,
        received_at TEXT NOT NULL, status TEXT NOT NULL, errors INTEGER NOT NULL, warnings INTEGER NOT NULL,
        first_error TEXT, PRIMARY KEY (period, sha256));
    CREATE INDEX files_by_sha ON files (sha256);
    -- What counted for each district and month: the grid of completeness and timeliness.
    CREATE TABLE reports (
        period TEXT NOT NULL, district_code TEXT NOT NULL, status TEXT NOT NULL, sha256 TEXT,
        received_at TEXT, PRIMARY KEY (period, district_code));
    -- Every accepted row of every month, as counted.
    CREATE TABLE groups (
        period TEXT NOT NULL, district_code TEXT NOT NULL, group_code TEXT NOT NULL, village_code TEXT,
        group_name TEXT, founded_on TEXT, members INTEGER, savings_baht REAL, borrowers INTEGER,
        loans_baht REAL, officer TEXT, officer_id TEXT, status TEXT, remarks TEXT, phase INTEGER,
        sha256 TEXT, PRIMARY KEY (period, group_code));
    -- The code each group was given when it first appeared: codes never change or get reused.
    CREATE TABLE group_codes (
        group_code TEXT PRIMARY KEY, district_code TEXT NOT NULL, village_code TEXT NOT NULL,
        name_key TEXT NOT NULL, first_period TEXT NOT NULL);
    CREATE TABLE problems (
        period TEXT NOT NULL, file_name TEXT NOT NULL, seq INTEGER NOT NULL, sha256 TEXT,
        district_code TEXT, rule_id TEXT NOT NULL, severity TEXT NOT NULL, sheet TEXT, cell TEXT,
        value TEXT, message_th TEXT, fix_th TEXT, message_en TEXT, fix_en TEXT,
        PRIMARY KEY (period, file_name, seq));
    """,
    # 2 (issue 18): one store holds every fiscal year. Each month remembers the fiscal year of the
    # setup it was run with, so that a month is never recorded under another year's setup. The
    # months already held belong to the fiscal year their calendar month falls in.
    """
    CREATE TABLE months (
        period TEXT PRIMARY KEY, fiscal_year_be INTEGER NOT NULL);
    INSERT INTO months (period, fiscal_year_be)
        SELECT DISTINCT period, CAST(substr(period, 1, 4) AS INTEGER) + 543
                                + (CAST(substr(period, 6, 2) AS INTEGER) >= 10)
        FROM reports;
    """,
    # 3 (issue 18): villages re-coded. A setup's village_moves table, as each fiscal year's runs met
    # it: the groups recorded under the old code (their rows and codes untouched, so that a month
    # of an earlier year runs again as it did) are read under the new code by every later month.
    """
    CREATE TABLE village_moves (
        fiscal_year_be INTEGER NOT NULL, old_village_code TEXT NOT NULL, new_village_code TEXT NOT NULL,
        new_district_code TEXT, reason TEXT, first_period TEXT NOT NULL,
        PRIMARY KEY (fiscal_year_be, old_village_code));
    """,
)
SCHEMA_VERSION = len(MIGRATIONS)

_REPORTING_BY_YEAR = """SELECT m.fiscal_year_be, r.district_code, r.period AS month, r.status FROM reports r
                        JOIN months m ON m.period = r.period ORDER BY r.period, r.district_code"""
_FILES = "SELECT * FROM files {where} ORDER BY period, district_code, received_at, file_name"
_VILLAGE_MOVES = "SELECT * FROM village_moves ORDER BY fiscal_year_be, old_village_code"

# A report row records the month's timeliness; an accepted report is on time or late.
ACCEPTED_REPORTS = (ON_TIME, LATE)

GROUP_COLUMNS = ["group_code", "village_code", "group_name", "founded_on", "members", "savings_baht",
                 "borrowers", "loans_baht", "officer", "officer_id", "status", "remarks"]


class StoreError(Exception):
    """The store cannot be used; ``key`` names the message ``cli.<key>`` in `generator.core.texts`."""

    def __init__(self, key: str, **params):
        super().__init__(key)
        self.key, self.params = key, params


def default_store_path(out_dir: Path, province_code: str) -> Path:
    return Path(out_dir) / f"history_{province_code}.sqlite"


@dataclass
class HistoryStore:
    path: Path
    connection: sqlite3.Connection

    @classmethod
    def open(cls, path: Path, province_code: str, wait_seconds: float = 30.0) -> "HistoryStore":
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists():
            _create_store(path, province_code)
        _check_store_file(path)
        try:
            con = sqlite3.connect(path, timeout=wait_seconds, isolation_level=None)
        except sqlite3.DatabaseError as exc:
            raise _as_store_error(exc, path) from None
        try:
            con.execute("PRAGMA foreign_keys = ON")
            # Damage in the middle of the file is otherwise found only by the query that reaches it.
            if con.execute("PRAGMA quick_check(1)").fetchone()[0] != "ok":
                raise StoreError("store_corrupt", path=path)
            store = cls(path, con)
            store._migrate()
            store._claim(province_code)
        except sqlite3.DatabaseError as exc:
            con.close()
            raise _as_store_error(exc, path) from None
        except StoreError:
            con.close()
            raise
        return store

    def close(self) -> None:
        self.connection.close()

    def __enter__(self) -> "HistoryStore":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # --- schema ---------------------------------------------------------------------------------
    def _migrate(self) -> None:
        version = self.connection.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise StoreError("store_newer", path=self.path, version=version, supported=SCHEMA_VERSION)
        for number in range(version, SCHEMA_VERSION):
            with self.transaction():
                # Another process may have migrated while this one waited for the lock.
                if self.connection.execute("PRAGMA user_version").fetchone()[0] > number:
                    continue
                for statement in _statements(MIGRATIONS[number]):
                    self.connection.execute(statement)
                self.connection.execute(f"PRAGMA user_version = {number + 1}")

    def _claim(self, province_code: str) -> None:
        """A store belongs to one province: another province's run must not write into it."""
        row = self.connection.execute("SELECT value FROM store_info WHERE key = 'province_code'").fetchone()
        if row is None:
            with self.transaction():
                self.connection.execute("INSERT OR IGNORE INTO store_info VALUES ('province_code', ?)", (province_code,))
        elif row[0] != province_code:
            raise StoreError("store_other_province", path=self.path, found=row[0], expected=province_code)

    def mark_commit(self, run_id: str) -> None:
        """Inside the run's transaction: which run's outputs this commit goes with (generator.store.commit)."""
        self.connection.execute("INSERT OR REPLACE INTO store_info VALUES ('last_commit', ?)", (run_id,))

    def last_commit(self) -> str | None:
        row = self.connection.execute("SELECT value FROM store_info WHERE key = 'last_commit'").fetchone()
        return row[0] if row else None

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """All writes of one run: committed together, or not at all."""
        try:
            self.connection.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise _as_store_error(exc, self.path) from None
        try:
            yield
            self.connection.execute("COMMIT")
        except BaseException as exc:
            # SQLite may have rolled back by itself (a full disk): a second rollback would fail and
            # hide the cause behind "cannot rollback - no transaction is active".
            if self.connection.in_transaction:
                try:
                    self.connection.execute("ROLLBACK")
                except sqlite3.DatabaseError:
                    pass
            if isinstance(exc, sqlite3.DatabaseError):
                raise _as_store_error(exc, self.path) from None
            raise

    # --- reading --------------------------------------------------------------------------------
    def first_seen(self, sha256s: list[str]) -> dict[str, datetime]:
        """When each of these files was first seen, for those seen before."""
        out: dict[str, datetime] = {}
        for sha in set(sha256s):
            row = self.connection.execute("SELECT MIN(received_at) FROM files WHERE sha256 = ?", (sha,)).fetchone()
            if row and row[0]:
                out[sha] = datetime.fromisoformat(row[0])
        return out

    def previous_groups(self, period: Period, district_code: str | None = None) -> dict[str, pd.DataFrame]:
        """Each district's groups as last accepted in a month before this one (of one district
        only when given: a district's upload is checked against its own last month alone)."""
        only, params = ("AND district_code = ?", (period.key, district_code)) if district_code else ("", (period.key,))
        frame = pd.read_sql_query(
            f"""SELECT g.* FROM groups g
               JOIN (SELECT district_code, MAX(period) AS period FROM groups WHERE period < ? {only}
                     GROUP BY district_code) last
               ON g.district_code = last.district_code AND g.period = last.period
               ORDER BY g.district_code, g.group_code""", self.connection, params=params)
        frame["founded_on"] = pd.to_datetime(frame["founded_on"]).dt.date
        return {code: part[GROUP_COLUMNS + ["period"]].reset_index(drop=True)
                for code, part in frame.groupby("district_code")}

    def last_accepted(self, period: Period, since: Period) -> dict[str, tuple[str, pd.DataFrame]]:
        """Each district's last month from ``since`` up to before ``period`` whose report was
        accepted, and its groups as accepted then (with the phase each counted toward then)."""
        last = self.connection.execute(
            """SELECT district_code, MAX(period) FROM reports WHERE period < ? AND period >= ?
               AND status IN ('on_time', 'late') GROUP BY district_code""", (period.key, since.key)).fetchall()
        out = {}
        for code, month in last:
            frame = pd.read_sql_query("SELECT * FROM groups WHERE district_code = ? AND period = ? ORDER BY group_code",
                                      self.connection, params=(code, month))
            frame["founded_on"] = pd.to_datetime(frame["founded_on"]).dt.date
            out[code] = (month, frame[GROUP_COLUMNS + ["phase"]].reset_index(drop=True))
        return out

    def year_end_groups(self, fiscal_year_be: int) -> tuple[dict[str, pd.DataFrame], dict[str, str]]:
        """Each district's groups in its last accepted month of that fiscal year (with the phase
        each counted toward), and that month (``YYYY-MM``): the state the next year starts from.
        A district with no accepted month in the year is in neither."""
        start, end = fiscal_year_bounds(fiscal_year_be)
        first, last = Period(start.year, start.month).key, Period(end.year, end.month).key
        frame = pd.read_sql_query(
            """SELECT g.* FROM groups g
               JOIN (SELECT district_code, MAX(period) AS period FROM reports
                     WHERE status IN (?, ?) AND period BETWEEN ? AND ? GROUP BY district_code) last
               ON g.district_code = last.district_code AND g.period = last.period
               ORDER BY g.district_code, g.group_code""", self.connection, params=(*ACCEPTED_REPORTS, first, last))
        months = dict(self.connection.execute(
            """SELECT district_code, MAX(period) FROM reports WHERE status IN (?, ?)
               AND period BETWEEN ? AND ? GROUP BY district_code""", (*ACCEPTED_REPORTS, first, last)).fetchall())
        frame["founded_on"] = pd.to_datetime(frame["founded_on"]).dt.date
        out = {code: part.reset_index(drop=True) for code, part in frame.groupby("district_code")}
        # A district whose last accepted file held no group at all still has an end-of-year state.
        return {code: out.get(code, frame.iloc[0:0]) for code in months}, months

    def month_groups(self, period: Period) -> tuple[pd.DataFrame, list[str]]:
        """The groups counted in a month as recorded, and the districts whose report was accepted."""
        frame = pd.read_sql_query("SELECT * FROM groups WHERE period = ? ORDER BY district_code, group_code",
                                  self.connection, params=(period.key,))
        accepted = [r[0] for r in self.connection.execute(
            "SELECT district_code FROM reports WHERE period = ? AND status IN (?, ?) ORDER BY district_code",
            (period.key, *ACCEPTED_REPORTS))]
        return frame, accepted

    def months(self) -> pd.DataFrame:
        """Every month the store holds and the fiscal year it was run under."""
        return pd.read_sql_query("SELECT period, fiscal_year_be FROM months ORDER BY period", self.connection)

    def group_codes(self) -> pd.DataFrame:
        return pd.read_sql_query("SELECT * FROM group_codes ORDER BY group_code", self.connection)

    def village_moves(self) -> pd.DataFrame:
        """Every village move recorded, with the codes of the groups the store knew under the old
        code (the groups moved): fiscal_year_be, old and new village code, new district, reason, the
        first month run with it, groups."""
        moves = pd.read_sql_query(_VILLAGE_MOVES, self.connection)
        moves["groups"] = [self._moved_groups(old) for old in moves["old_village_code"]]
        return moves

    def reporting(self, months: list[Period]) -> pd.DataFrame:
        """The grid rows (district_code, month, status) recorded for these months."""
        keys = [m.key for m in months]
        if not keys:
            return pd.DataFrame(columns=["district_code", "month", "status"])
        marks = ",".join("?" * len(keys))
        return pd.read_sql_query(
            f"SELECT district_code, period AS month, status FROM reports WHERE period IN ({marks})"
            " ORDER BY period, district_code", self.connection, params=keys)

    def reporting_by_year(self) -> pd.DataFrame:
        """Every grid row the store holds, across fiscal years: fiscal_year_be, district_code, month, status."""
        return pd.read_sql_query(_REPORTING_BY_YEAR, self.connection)

    def files(self, period: Period | None = None, district_code: str | None = None) -> pd.DataFrame:
        """Every file recorded (of one month, of one district, when given); a value the store holds
        as NULL (a file of no known district, no error) is None, never NaN, so that every face can
        show or serialise it as it is."""
        terms = [(t, v) for t, v in (("period = ?", period and period.key), ("district_code = ?", district_code)) if v]
        where = ("WHERE " + " AND ".join(t for t, _ in terms)) if terms else ""
        params = tuple(v for _, v in terms)
        frame = pd.read_sql_query(_FILES.format(where=where), self.connection, params=params)
        return frame.astype(object).where(frame.notna(), None)

    # The same as rows of plain values (sqlite3 alone, no pandas): what `history` shows.
    def reporting_rows(self) -> list[dict]:
        return self._rows(_REPORTING_BY_YEAR)

    def file_rows(self) -> list[dict]:
        return self._rows(_FILES.format(where=""))

    def village_move_rows(self) -> list[dict]:
        moves = self._rows(_VILLAGE_MOVES)
        for move in moves:
            move["groups"] = self._moved_groups(move["old_village_code"])
        return moves

    def _rows(self, query: str, params: tuple = ()) -> list[dict]:
        cursor = self.connection.execute(query, params)
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row)) for row in cursor]

    def _moved_groups(self, old_village_code: str) -> str:
        return ", ".join(r[0] for r in self.connection.execute(
            "SELECT group_code FROM group_codes WHERE village_code = ? ORDER BY group_code", (old_village_code,)))

    def dump(self) -> dict[str, list[tuple]]:
        """Every row of every table, in a stable order: what a re-run must leave unchanged."""
        tables = [r[0] for r in self.connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        return {t: sorted(self.connection.execute(f"SELECT * FROM {t}").fetchall(), key=repr) for t in tables}

    # --- writing (inside `transaction`) ----------------------------------------------------------
    def record_month(self, period: Period, files: list[dict], reports: list[dict], groups: pd.DataFrame,
                     problems: list[dict], new_codes: pd.DataFrame, fiscal_year_be: int | None = None,
                     village_moves: pd.DataFrame | None = None) -> None:
        """Replace what the store holds for this month by this run's record.

        Files are kept from earlier runs (a file since taken out of the inbox stays on record);
        their first sighting is never changed. fiscal_year_be: that of the setup the month was run
        with; a month is refused under a setup of another fiscal year. village_moves: that setup's
        (`record_moves`).
        """
        con, key = self.connection, period.key
        year = period.fiscal_year_be if fiscal_year_be is None else fiscal_year_be
        if year != period.fiscal_year_be:
            raise StoreError("store_other_year", path=self.path, period=period.key, fiscal_year=year,
                             period_year=period.fiscal_year_be)
        con.execute("INSERT INTO months VALUES (?, ?) ON CONFLICT (period) DO UPDATE SET"
                    " fiscal_year_be = excluded.fiscal_year_be", (key, year))
        con.executemany(
            """INSERT INTO files VALUES (:period, :sha256, :file_name, :district_code, :received_at, :status,
                                         :errors, :warnings, :first_error)
               ON CONFLICT (period, sha256) DO UPDATE SET file_name = excluded.file_name,
                   district_code = excluded.district_code, status = excluded.status,
                   errors = excluded.errors, warnings = excluded.warnings, first_error = excluded.first_error""",
            [{**f, "period": key} for f in files])
        for table in ("reports", "groups", "problems"):
            con.execute(f"DELETE FROM {table} WHERE period = ?", (key,))
        con.executemany("INSERT INTO reports VALUES (:period, :district_code, :status, :sha256, :received_at)",
                        [{**r, "period": key} for r in reports])
        rows = groups.reindex(columns=["district_code", "phase", "sha256"] + GROUP_COLUMNS).copy()
        rows["founded_on"] = rows["founded_on"].map(_iso)
        rows["phase"] = rows["phase"].astype("object").where(rows["phase"].notna(), None)
        rows = rows.astype(object).where(rows.notna(), None)
        con.executemany(
            """INSERT INTO groups VALUES (:period, :district_code, :group_code, :village_code, :group_name,
                   :founded_on, :members, :savings_baht, :borrowers, :loans_baht, :officer, :officer_id,
                   :status, :remarks, :phase, :sha256)""",
            [{**r, "period": key, "phase": None if r["phase"] is None else int(r["phase"])}
             for r in rows.to_dict("records")])
        con.executemany(
            """INSERT INTO problems VALUES (:period, :file_name, :seq, :sha256, :district_code, :rule_id,
                   :severity, :sheet, :cell, :value, :message_th, :fix_th, :message_en, :fix_en)""",
            [{**p, "period": key} for p in problems])
        con.executemany("INSERT OR IGNORE INTO group_codes VALUES (:group_code, :district_code, :village_code,"
                        " :name_key, :first_period)", new_codes.to_dict("records"))
        if village_moves is not None:
            self.record_moves(period, year, village_moves)

    def record_moves(self, period: Period, fiscal_year_be: int, moves: pd.DataFrame) -> None:
        """Inside the run's transaction: the setup's village moves for its fiscal year, as the store
        keeps them (the table as the setup now says, each with the first month run with it)."""
        con = self.connection
        rows = [(fiscal_year_be, r.old_village_code, r.new_village_code, r.new_district_code,
                 None if pd.isna(r.reason) else str(r.reason), period.key) for r in moves.itertuples()]
        keep = [r[1] for r in rows]
        marks = ",".join("?" * len(keep))
        con.execute(f"DELETE FROM village_moves WHERE fiscal_year_be = ? AND old_village_code NOT IN ({marks})",
                    (fiscal_year_be, *keep))
        con.executemany("""INSERT INTO village_moves VALUES (?, ?, ?, ?, ?, ?)
                           ON CONFLICT (fiscal_year_be, old_village_code) DO UPDATE SET
                           new_village_code = excluded.new_village_code, new_district_code = excluded.new_district_code,
                           reason = excluded.reason, first_period = MIN(first_period, excluded.first_period)""", rows)



def _statements(script: str) -> Iterator[str]:
    """The statements of a migration, one at a time (``executescript`` would commit on its own)."""
    pending = ""
    for line in script.splitlines(keepends=True):
        pending += line
        if sqlite3.complete_statement(pending):
            yield pending
            pending = ""


def _iso(value) -> str | None:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    return value.date().isoformat() if isinstance(value, datetime) else value.isoformat() \
        if isinstance(value, date) else str(value)


SQLITE_HEADER = b"SQLite format 3\x00"


def _create_store(path: Path, province_code: str) -> None:
    """A new store is made whole beside its place and linked in: SQLite's own new file is empty until
    its first write, and another process (the web page's preview, a second run) that looked then would
    take it for a damaged store. Linking, not renaming, never replaces a store another process made
    first."""
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".new", dir=path.parent)
    os.close(fd)
    made = Path(name)
    try:
        made.unlink()  # sqlite makes the file itself; mkstemp only reserved a free name
        con = sqlite3.connect(made, isolation_level=None)
        try:
            store = HistoryStore(made, con)
            store._migrate()
            store._claim(province_code)
        finally:
            con.close()
        try:
            os.link(made, path)
        except FileExistsError:
            pass  # another process made the store first: use theirs
        except OSError:
            # a folder without hard links (a FAT stick, some shares): a rename, which cannot refuse
            if not path.exists():
                os.replace(made, path)
    except sqlite3.DatabaseError as exc:
        raise _as_store_error(exc, path) from None
    except OSError as exc:
        raise StoreError("store_unreadable", path=path, detail=exc.strerror or str(exc)) from None
    finally:
        for leftover in (made, made.with_name(made.name + "-journal")):
            leftover.unlink(missing_ok=True)


def _check_store_file(path: Path) -> None:
    """An existing store that is empty, truncated or not a store is refused, never taken for a
    new one: SQLite would silently start afresh on a zero-length file, and a year's history
    would vanish without a word."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        return  # a new store
    except OSError as exc:
        raise StoreError("store_unreadable", path=path, detail=exc.strerror or str(exc)) from None
    if path.is_dir():
        raise StoreError("store_not_store", path=path)
    if size == 0:
        raise StoreError("store_empty", path=path)
    try:
        with open(path, "rb") as f:
            head = f.read(100)
    except OSError as exc:
        raise StoreError("store_unreadable", path=path, detail=exc.strerror or str(exc)) from None
    if len(head) < 100 or not head.startswith(SQLITE_HEADER):
        raise StoreError("store_not_store", path=path)
    page_size = int.from_bytes(head[16:18], "big")
    page_size = 65_536 if page_size == 1 else page_size
    pages = int.from_bytes(head[28:32], "big")
    counted = head[92:96] == head[24:28]  # the header's page count is valid (SQLite >= 3.7.0)
    recovering = any(path.with_name(path.name + s).exists() for s in ("-journal", "-wal"))
    if counted and pages and size < pages * page_size and not recovering:
        raise StoreError("store_truncated", path=path, size=size, expected=pages * page_size)


def _as_store_error(exc: sqlite3.DatabaseError, path: Path) -> StoreError:
    text = str(exc).lower()
    if "locked" in text or "busy" in text:
        return StoreError("store_busy", path=path)
    if "full" in text:
        return StoreError("store_full", path=path)
    if "readonly" in text or "read-only" in text or "unable to open" in text:
        return StoreError("store_readonly", path=path)
    if "malformed" in text or "not a database" in text or "corrupt" in text:
        return StoreError("store_corrupt", path=path)
    if "i/o" in text:
        return StoreError("store_io", path=path)
    return StoreError("store_broken", path=path, detail=str(exc))
