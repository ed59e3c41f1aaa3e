"""The province takes returned files in (issue 13): many at once or a zip of them, each stored once
per content, checked at once with the CLI's rules and words; a file brought in late from elsewhere
can be given the day it really arrived, until a run has recorded it in the store.

Every upload is limited before it is read (the request's size by waitress and Flask, the number of
files by `security.chosen_files`, each file's size while it is copied aside by `spool`)."""

from __future__ import annotations

import logging
import os
import tempfile
import zipfile
from datetime import date, datetime
from pathlib import Path

from flask import abort, current_app, flash, g, jsonify, redirect, request, send_file, url_for

from generator.core import texts
from generator.core.periods import format_date
import generator.web.security as security
from generator.web.ext import extension
from generator.web.routes import _fixed_received, _month, _w, arrivals_stamp, bp

LOG = logging.getLogger("savings_report.web")
ZIP_SKIP = ("__MACOSX/", ".", "~$")


def spool(stream, folder: Path, limit: int) -> Path | None:
    """Copy an upload aside, stopping as soon as it is over the limit (None then)."""
    fd, tmp = tempfile.mkstemp(prefix=".in-", dir=folder)
    size = 0
    with os.fdopen(fd, "wb") as out:
        for chunk in iter(lambda: stream.read(1 << 16), b""):
            size += len(chunk)
            if size > limit:
                break
            out.write(chunk)
    if size > limit:
        os.unlink(tmp)
        return None
    return Path(tmp)


def _is_bundle(path: Path) -> bool:
    """A zip of workbooks, not a workbook (an .xlsx or .ods is a zip too, with its own first entries)."""
    if not zipfile.is_zipfile(path):
        return False
    try:
        with zipfile.ZipFile(path) as z:
            names = set(z.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return False
    return "[Content_Types].xml" not in names and "mimetype" not in names


def _unbundle(path: Path, name: str, folder: Path, limit: int, max_files: int, notes: list[str]) -> list:
    taken = []
    try:
        with zipfile.ZipFile(path) as z:
            entries = [i for i in z.infolist() if not i.is_dir()
                       and not i.filename.rsplit("/", 1)[-1].startswith(ZIP_SKIP) and not i.filename.startswith(ZIP_SKIP)]
            if len(entries) > max_files:
                abort(413, description="too_many")
            for info in entries:
                inner = info.filename.replace("\\", "/").rsplit("/", 1)[-1]
                if info.file_size > limit:
                    notes.append(_w("file_too_large", name=inner[:80], mb=limit // (1024 * 1024)))
                    continue
                with z.open(info) as stream:
                    tmp = spool(stream, folder, limit)
                if tmp is None:
                    notes.append(_w("file_too_large", name=inner[:80], mb=limit // (1024 * 1024)))
                else:
                    taken.append((inner, tmp))
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError, RuntimeError, EOFError):
        for _, tmp in taken:
            tmp.unlink(missing_ok=True)
        notes.append(_w("zip_bad", name=name[:80]))
        return []
    return taken


@bp.post("/m/<month>/upload")
def upload(month: str):
    from generator.jobs import check_upload
    from generator.intake.limits import DEFAULT_LIMITS

    setup, period = _month(month)
    ws = extension("ws")
    limits = current_app.config["UPLOAD_LIMITS"]
    chosen = security.chosen_files()
    if chosen is None:
        return redirect(url_for("web.month", month=month))
    incoming = ws.root / ".incoming"
    incoming.mkdir(exist_ok=True)
    per_file = limits.file_mb * 1024 * 1024
    notes: list[str] = []
    lines: list[str] = []  # each file's verdict, as `savings-report validate` prints it
    taken: list[tuple[str, Path]] = []
    try:
        for f in chosen:
            tmp = spool(f.stream, incoming, per_file)
            if tmp is None:
                notes.append(_w("file_too_large", name=f.filename[:80], mb=limits.file_mb))
            elif _is_bundle(tmp):
                taken += _unbundle(tmp, f.filename, incoming, per_file, limits.files - len(taken), notes)
                tmp.unlink()
            else:
                taken.append((f.filename, tmp))
            if len(taken) > limits.files:
                abort(413, description="too_many")
        ok = bad = same = 0
        now = datetime.now()
        while taken:
            name, tmp = taken.pop(0)
            up, new = ws.add_file(period, name, tmp, now)
            if not new:
                same += 1
                continue
            checked = check_upload(ws.inbox(period) / up.leaf, setup, DEFAULT_LIMITS, period)
            ok, bad = ok + checked.ok, bad + (not checked.ok)
            lines.append(texts.text("cli." + ("valid_ok" if checked.ok else "valid_bad"), g.lang, name=up.leaf))
            LOG.info("upload %s %s for %s from %s: %s", up.sha256[:12], up.leaf, period.be_key, request.remote_addr,
                     "ok" if checked.ok else "errors")
            ws.save_check(period, up.sha256, checked)
            ws.audit("province", "upload", checked.district_code, up.sha256,
                     f"{up.leaf}: {'ok' if checked.ok else 'errors'}")
    finally:
        for _, tmp in taken:
            tmp.unlink(missing_ok=True)
    flash(_w("received_summary", n=ok + bad + same, ok=ok, bad=bad, same=same))
    for line in (lines if len(lines) <= 10 else []) + notes[:10]:
        flash(line)
    return redirect(url_for("web.month", month=month) + "#files")


@bp.post("/m/<month>/received")
def received(month: str):
    setup, period = _month(month)
    ws = extension("ws")
    up = ws.upload(period, request.form.get("sha256", ""))
    if up is None:
        abort(404)
    try:
        day = date.fromisoformat(request.form.get("day", ""))
    except ValueError:
        flash(_w("received_bad"))
        return redirect(url_for("web.month", month=month) + "#files")
    if up.sha256 in _fixed_received(setup, [up.sha256]) or day > date.today():
        flash(_w("received_fixed") if day <= date.today() else _w("received_bad"))
        return redirect(url_for("web.month", month=month) + "#files")
    ws.set_received(up.sha256, day)
    LOG.info("received date of %s set to %s from %s", up.sha256[:12], day, request.remote_addr)
    flash(_w("received_saved", name=up.leaf, date=format_date(day, g.lang)))
    return redirect(url_for("web.month", month=month) + "#files")


@bp.get("/m/<month>/f/<sha256>")
def returned_file(month: str, sha256: str):
    _, period = _month(month)
    ws = extension("ws")
    up = ws.upload(period, sha256)
    if up is None:
        abort(404)
    return send_file(ws.blob(up.sha256), as_attachment=True, download_name=up.leaf)


@bp.get("/m/<month>/arrivals.json")
def arrivals(month: str):
    """The month's arrivals stamp: the province's open month page shows each district's file as it comes."""
    _, period = _month(month)
    return jsonify({"stamp": arrivals_stamp(period)})
