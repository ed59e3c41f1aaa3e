"""The web page's workspace: one folder holding setups, every uploaded file, the outputs and the store.

    <workspace>/
      secret.key                     signing key of the session cookies (made on first start)
      password.hash                  the province password as a Werkzeug scrypt hash (serve --set-password)
      setups/setup_<province>_<YYYYmmdd-HHMMSS>.xlsx   every valid setup uploaded; the newest counts
      setups/last_check.json         the problems of the last setup upload, shown on the setup page
      files/<sha[:2]>/<sha256>       every file uploaded, stored once per content, never changed
      months/<yyyy-mm BE>/inbox/     the month's returned files (hard links to files/): what a run reads
      months/<yyyy-mm BE>/send/      the month's district workbooks, as last written
      months/<yyyy-mm BE>/feedback/<sha256>.xlsx   the feedback workbook made from an upload at once
      months/<yyyy-mm BE>/outputs.json   what the last good run of the month wrote (under output/)
      output/                        the run's outputs, as `savings-report run --out` writes them, and
                                     the history store where the pipeline keeps it
      ahead/<digest>/<name>.xlsx     the month's workbooks made before the click, by the digest of what
                                     each is made from (generator.outputs.ahead): the run takes them
      uploads.sqlite                 per month and content: the name it came with, when first uploaded
      web.log                        logins, uploads, runs

A name a district gave its file is never used to find a place on disk: a file is kept under its
SHA-256, and its name in the month's inbox is a reduced copy of the name (letters, marks and
digits of any script, space and ``-_.()``), made unique, so messages can quote it.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import shutil
import sqlite3
import tempfile
import threading
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path

from generator.store.history import default_store_path
from generator.core.periods import Period
from generator.core.model import Setup
from generator.intake.setup_workbook import load_setup

_WINDOWS_RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{i}" for i in range(10)), *(f"LPT{i}" for i in range(10))}
NAME_MAX = 100
PASSWORD_MIN = 8

SCHEMA = """
CREATE TABLE IF NOT EXISTS uploads (
    period TEXT NOT NULL, sha256 TEXT NOT NULL, name TEXT NOT NULL, leaf TEXT NOT NULL,
    uploaded_at TEXT NOT NULL, received_at TEXT NOT NULL, size INTEGER NOT NULL,
    PRIMARY KEY (period, sha256));
-- Each upload's own check (jobs.check_file), shown until the month's preview has caught up with it.
CREATE TABLE IF NOT EXISTS checks (
    period TEXT NOT NULL, sha256 TEXT NOT NULL, ok INTEGER NOT NULL, district_code TEXT,
    problems TEXT NOT NULL, PRIMARY KEY (period, sha256));
CREATE INDEX IF NOT EXISTS checks_by_district ON checks (period, district_code);
-- A district's link (/d/<token>): only the token's SHA-256 is kept. Renewing raises the generation,
-- which ends every session opened with an earlier token; revoking ends them all.
CREATE TABLE IF NOT EXISTS links (
    district_code TEXT PRIMARY KEY, token_sha256 TEXT NOT NULL UNIQUE, generation INTEGER NOT NULL,
    created_at TEXT NOT NULL, revoked INTEGER NOT NULL DEFAULT 0, opened_at TEXT);
-- Who did what: links created, renewed, revoked, opened; uploads and their result; downloads.
CREATE TABLE IF NOT EXISTS audit (
    at TEXT NOT NULL, who TEXT NOT NULL, action TEXT NOT NULL, district_code TEXT, sha256 TEXT, detail TEXT);
"""


def safe_leaf(name: str, fallback: str = "file.xlsx") -> str:
    """A file name from a district reduced to what is safe as one name in a folder on any system."""
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    kept = "".join(ch for ch in name if unicodedata.category(ch)[0] in "LMN" or ch in " -_.()")
    kept = kept.strip(" .")[:NAME_MAX].strip(" .")
    if not kept or kept.split(".", 1)[0].upper() in _WINDOWS_RESERVED:
        kept = f"_{kept}" if kept else fallback
    return kept


@dataclass(frozen=True)
class Upload:
    period: str
    sha256: str
    name: str
    leaf: str
    uploaded_at: datetime
    received_at: datetime
    size: int


class Workspace:
    def __init__(self, root: Path):
        self.root = Path(root).resolve()
        for sub in ("setups", "files", "months", "output"):
            (self.root / sub).mkdir(parents=True, exist_ok=True)
        self._setup_cache: tuple[Path, float, Setup] | None = None
        self._lock = threading.Lock()
        with self._db() as db:
            db.executescript(SCHEMA)
            # Added later: whether intake could read the file (its feedback then carries a marked copy).
            if "readable" not in {r[1] for r in db.execute("PRAGMA table_info(checks)")}:
                db.execute("ALTER TABLE checks ADD COLUMN readable INTEGER NOT NULL DEFAULT 1")

    # --- keys -------------------------------------------------------------------------------
    def secret_key(self) -> bytes:
        path = self.root / "secret.key"
        if not path.exists():
            _write_private(path, secrets.token_bytes(32))
        return path.read_bytes()

    @property
    def password_path(self) -> Path:
        return self.root / "password.hash"

    def set_password(self, password: str) -> None:
        from werkzeug.security import generate_password_hash

        _write_private(self.password_path, generate_password_hash(password, method="scrypt").encode())

    def check_password(self, password: str) -> bool:
        from werkzeug.security import check_password_hash

        if not self.password_path.is_file():
            return False
        return check_password_hash(self.password_path.read_text().strip(), password)

    @property
    def has_password(self) -> bool:
        return self.password_path.is_file()

    # --- setups -----------------------------------------------------------------------------
    def setup_files(self) -> list[Path]:
        return sorted(self.root.glob("setups/setup_*.xlsx"), reverse=True)

    def setup(self) -> Setup | None:
        """The newest valid setup (every one kept was valid when uploaded)."""
        files = self.setup_files()
        if not files:
            return None
        path, mtime = files[0], files[0].stat().st_mtime
        cached = self._setup_cache
        if cached and cached[0] == path and cached[1] == mtime:
            return cached[2]
        setup = load_setup(path)
        self._setup_cache = (path, mtime, setup)
        return setup

    def add_setup(self, data: bytes, now: datetime) -> Setup:
        """Keep a setup workbook if it is valid; raises SetupInvalid with its problems otherwise."""
        folder = self.root / "setups"
        fd, tmp = tempfile.mkstemp(prefix=".upload-", suffix=".xlsx", dir=folder)
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            setup = load_setup(Path(tmp))
            target = folder / f"setup_{setup.province_code}_{now:%Y%m%d-%H%M%S}.xlsx"
            n = 1
            while target.exists():
                target = folder / f"setup_{setup.province_code}_{now:%Y%m%d-%H%M%S}-{n}.xlsx"
                n += 1
            os.replace(tmp, target)
            return setup
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)

    def save_setup_check(self, problems: list[dict]) -> None:
        _write_atomic(self.root / "setups" / "last_check.json", json.dumps(problems, ensure_ascii=False).encode())

    def last_setup_check(self) -> list[dict]:
        path = self.root / "setups" / "last_check.json"
        return json.loads(path.read_text("utf-8")) if path.is_file() else []

    # --- places -----------------------------------------------------------------------------
    @property
    def output(self) -> Path:
        return self.root / "output"

    @property
    def ahead(self) -> Path:
        return self.root / "ahead"

    def store_path(self, setup: Setup) -> Path:
        """Where the pipeline keeps the province's history store for this output folder."""
        return default_store_path(self.output, setup.province_code)

    def month_dir(self, period: Period) -> Path:
        return self.root / "months" / period.be_key

    def inbox(self, period: Period) -> Path:
        path = self.month_dir(period) / "inbox"
        path.mkdir(parents=True, exist_ok=True)
        return path

    def blob(self, sha256: str) -> Path:
        return self.root / "files" / sha256[:2] / sha256

    def upload_feedback(self, period: Period, sha256: str) -> Path:
        """Where the feedback workbook of one upload is kept once made (on its first download)."""
        return self.month_dir(period) / "feedback" / f"{sha256}.xlsx"

    # --- uploads ----------------------------------------------------------------------------
    @contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        db = sqlite3.connect(self.root / "uploads.sqlite", timeout=30, isolation_level=None)
        try:
            db.execute("PRAGMA busy_timeout = 30000")
            yield db
        finally:
            db.close()

    def add_file(self, period: Period, name: str, source: Path, now: datetime) -> tuple[Upload, bool]:
        """Store one uploaded file (already on disk at `source`, which is consumed) for a month.

        Returns the upload and whether this content is new to the month. The same content is stored
        once; its received time is that of its first upload and never changes."""
        sha = _sha256(source)
        blob = self.blob(sha)
        blob.parent.mkdir(parents=True, exist_ok=True)
        size = source.stat().st_size
        stamp = now.replace(microsecond=0)
        if blob.exists():
            os.unlink(source)
        else:
            os.utime(source, (stamp.timestamp(), stamp.timestamp()))
            try:
                os.link(source, blob)  # never replaces: a blob written once stays as it is
            except FileExistsError:
                pass
            except OSError:
                shutil.copy2(source, blob)
            os.unlink(source)
        with self._lock, self._db() as db:
            db.execute("BEGIN IMMEDIATE")
            row = db.execute("SELECT * FROM uploads WHERE period = ? AND sha256 = ?", (period.key, sha)).fetchone()
            if row:
                db.execute("COMMIT")
                return _upload(row), False
            first = db.execute("SELECT MIN(received_at) FROM uploads WHERE sha256 = ?", (sha,)).fetchone()[0]
            received = datetime.fromisoformat(first) if first else datetime.fromtimestamp(blob.stat().st_mtime)
            leaf = self._link_into_inbox(period, blob, safe_leaf(name), sha)
            upload = Upload(period.key, sha, name[:300], leaf, stamp, received, size)
            db.execute("INSERT INTO uploads VALUES (?, ?, ?, ?, ?, ?, ?)",
                       (upload.period, sha, upload.name, leaf, stamp.isoformat(), received.isoformat(), size))
            db.execute("COMMIT")
        return upload, True

    def _link_into_inbox(self, period: Period, blob: Path, leaf: str, sha: str) -> str:
        inbox = self.inbox(period)
        stem, dot, ext = leaf.rpartition(".")
        candidates = [leaf, f"{stem}_{sha[:8]}.{ext}" if dot else f"{leaf}_{sha[:8]}", f"{sha}.{ext or 'xlsx'}"]
        for candidate in candidates:
            try:
                os.link(blob, inbox / candidate)
                return candidate
            except FileExistsError:
                if _sha256(inbox / candidate) == sha:
                    return candidate
            except OSError:  # a file system without hard links
                if not (inbox / candidate).exists():
                    shutil.copy2(blob, inbox / candidate)
                    return candidate
        raise RuntimeError("no free name in the inbox")  # the last candidate is the content's own hash

    def save_check(self, period: Period, sha256: str, check) -> None:
        with self._db() as db:
            db.execute("INSERT OR REPLACE INTO checks (period, sha256, ok, district_code, problems, readable)"
                       " VALUES (?, ?, ?, ?, ?, ?)",
                       (period.key, sha256, int(check.ok), check.district_code,
                        json.dumps([p.to_dict() for p in check.problems], ensure_ascii=False), int(check.readable)))

    def checks(self, period: Period, district_code: str | None = None) -> dict[str, dict]:
        """Each upload's own check; of one district's uploads only when given (a district's page
        must not parse the whole province's checks at every view)."""
        only, params = ("AND district_code = ?", (period.key, district_code)) if district_code else ("", (period.key,))
        with self._db() as db:
            rows = db.execute(f"SELECT sha256, ok, district_code, problems, readable FROM checks WHERE period = ? {only}",
                              params).fetchall()
        return {r[0]: {"ok": bool(r[1]), "district_code": r[2], "problems": json.loads(r[3]), "readable": bool(r[4])}
                for r in rows}

    def uploads(self, period: Period, district_code: str | None = None) -> list[Upload]:
        """The month's uploads in the order they were taken in; of one district (by its own
        check) when given."""
        if district_code is None:
            query, params = "SELECT * FROM uploads WHERE period = ? ORDER BY uploaded_at, rowid", (period.key,)
        else:
            query = ("SELECT u.* FROM uploads u JOIN checks c ON c.period = u.period AND c.sha256 = u.sha256"
                     " WHERE u.period = ? AND c.district_code = ? ORDER BY u.uploaded_at, u.rowid")
            params = (period.key, district_code)
        with self._db() as db:
            rows = db.execute(query, params).fetchall()
        return [_upload(r) for r in rows]

    def uploads_stamp(self, period: Period) -> str:
        """A digest of the month's uploads as they are (content, name, received time): changes with
        every file taken in and every received date set, costs one query."""
        with self._db() as db:
            row = db.execute("SELECT count(*), group_concat(sha256 || '/' || leaf || '/' || received_at, '|') FROM"
                             " (SELECT * FROM uploads WHERE period = ? ORDER BY uploaded_at, rowid)",
                             (period.key,)).fetchone()
        return f"{row[0]}:{hashlib.sha256((row[1] or '').encode('utf-8')).hexdigest()}"

    def upload(self, period: Period, sha256: str) -> Upload | None:
        with self._db() as db:
            row = db.execute("SELECT * FROM uploads WHERE period = ? AND sha256 = ?", (period.key, sha256)).fetchone()
        return _upload(row) if row else None

    def set_received(self, sha256: str, day: date) -> None:
        """A file brought in late from elsewhere: the day it really arrived (before a run records it)."""
        stamp = datetime.combine(day, time())
        with self._lock, self._db() as db:
            db.execute("UPDATE uploads SET received_at = ? WHERE sha256 = ?", (stamp.isoformat(), sha256))
            copies = db.execute("SELECT period, leaf FROM uploads WHERE sha256 = ?", (sha256,)).fetchall()
        # The inbox entries are hard links of the blob (one time for all), or copies where links fail.
        for path in [self.blob(sha256)] + [self.inbox(Period.parse(m)) / leaf for m, leaf in copies]:
            if path.exists():
                os.utime(path, (stamp.timestamp(), stamp.timestamp()))

    def months_with_uploads(self) -> list[Period]:
        with self._db() as db:
            rows = db.execute("SELECT DISTINCT period FROM uploads").fetchall()
        return sorted(Period.parse(r[0]) for r in rows)

    # --- district links and the audit trail --------------------------------------------------
    def new_link(self, code: str, now: datetime, who: str = "province") -> str:
        """A fresh link token for a district (at least 128 random bits); any earlier one stops working."""
        token = secrets.token_urlsafe(24)
        digest = hashlib.sha256(token.encode()).hexdigest()
        with self._lock, self._db() as db:
            db.execute("BEGIN IMMEDIATE")
            row = db.execute("SELECT generation FROM links WHERE district_code = ?", (code,)).fetchone()
            generation = (row[0] if row else 0) + 1
            db.execute("INSERT OR REPLACE INTO links VALUES (?, ?, ?, ?, 0, NULL)",
                       (code, digest, generation, now.isoformat(timespec="seconds")))
            db.execute("INSERT INTO audit VALUES (?, ?, ?, ?, NULL, NULL)",
                       (now.isoformat(timespec="seconds"), who, "link_renewed" if row else "link_created", code))
            db.execute("COMMIT")
        return token

    def revoke_link(self, code: str, now: datetime, who: str = "province") -> None:
        with self._lock, self._db() as db:
            if db.execute("UPDATE links SET revoked = 1, generation = generation + 1 WHERE district_code = ? "
                          "AND revoked = 0", (code,)).rowcount:
                self.audit(who, "link_revoked", code, now=now, db=db)

    def link_for_token(self, token: str) -> tuple[str, int] | None:
        digest = hashlib.sha256(token.encode()).hexdigest()
        with self._db() as db:
            row = db.execute("SELECT district_code, generation FROM links WHERE token_sha256 = ? AND revoked = 0",
                             (digest,)).fetchone()
        return (row[0], row[1]) if row else None

    def link_generation(self, code: str) -> int | None:
        """The generation of a district's live link (None once revoked or never made)."""
        with self._db() as db:
            row = db.execute("SELECT generation FROM links WHERE district_code = ? AND revoked = 0", (code,)).fetchone()
        return row[0] if row else None

    def link_opened(self, code: str, now: datetime) -> None:
        with self._db() as db:
            db.execute("UPDATE links SET opened_at = COALESCE(opened_at, ?) WHERE district_code = ?",
                       (now.isoformat(timespec="seconds"), code))

    def links(self) -> dict[str, dict]:
        with self._db() as db:
            rows = db.execute("SELECT district_code, generation, created_at, revoked, opened_at FROM links").fetchall()
        return {r[0]: {"generation": r[1], "created_at": r[2], "revoked": bool(r[3]), "opened_at": r[4]} for r in rows}

    def audit(self, who: str, action: str, code: str | None = None, sha256: str | None = None,
              detail: str | None = None, now: datetime | None = None, db: sqlite3.Connection | None = None) -> None:
        stamp = (now or datetime.now()).isoformat(timespec="seconds")
        if db is not None:
            db.execute("INSERT INTO audit VALUES (?, ?, ?, ?, ?, ?)", (stamp, who, action, code, sha256, detail))
            return
        with self._db() as own:
            own.execute("INSERT INTO audit VALUES (?, ?, ?, ?, ?, ?)", (stamp, who, action, code, sha256, detail))

    def audit_trail(self, code: str | None = None) -> list[dict]:
        with self._db() as db:
            rows = db.execute("SELECT at, who, action, district_code, sha256, detail FROM audit "
                              "WHERE ? IS NULL OR district_code = ? ORDER BY at DESC, rowid DESC", (code, code)).fetchall()
        return [dict(zip(("at", "who", "action", "district_code", "sha256", "detail"), r)) for r in rows]

    # --- outputs ----------------------------------------------------------------------------
    def save_outputs(self, period: Period, outputs: dict[str, str]) -> None:
        self.month_dir(period).mkdir(parents=True, exist_ok=True)
        _write_atomic(self.month_dir(period) / "outputs.json", json.dumps(outputs, ensure_ascii=False).encode())

    def add_outputs(self, period: Period, outputs: dict[str, str]) -> None:
        """More files of the last good run (a district's page laid out after the month's report)."""
        path = self.month_dir(period) / "outputs.json"
        with self._lock:
            known = json.loads(path.read_text("utf-8")) if path.is_file() else {}
            self.save_outputs(period, {**known, **outputs})

    def outputs(self, period: Period) -> dict[str, Path]:
        """What the last good run of the month wrote: key -> file (only files under output/ that exist)."""
        path = self.month_dir(period) / "outputs.json"
        if not path.is_file():
            return {}
        found = {}
        for key, rel in json.loads(path.read_text("utf-8")).items():
            target = (self.output / rel).resolve()
            if target.is_relative_to(self.output) and target.is_file():
                found[key] = target
        return found


def _upload(row) -> Upload:
    return Upload(row[0], row[1], row[2], row[3], datetime.fromisoformat(row[4]), datetime.fromisoformat(row[5]),
                  row[6])


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _write_atomic(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    os.replace(tmp, path)


def _write_private(path: Path, data: bytes) -> None:
    """Readable by the office account only (on Windows the folder's own permissions apply)."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)
