"""The province's page of district links (issue 14): one link per district, made, renewed or revoked
one at a time or all at once; a new link is shown once, with a LINE message ready to copy and its QR
code to print; the month's status of every district, and reminders for those still to send."""

from __future__ import annotations

import secrets
from datetime import datetime

from flask import abort, flash, g, redirect, render_template, request, session, url_for

from generator.core.periods import format_date
from generator.web.ext import extension
from generator.web.routes import _current_month, _preview, _setup, _w, bp


def qr_svg(url: str, title: str) -> str:
    """The link as a QR code, an inline SVG (no image to fetch, nothing the page's policy must allow)."""
    import segno

    return segno.make(url, error="m").svg_inline(scale=4, border=4, omitsize=True, svgclass="qr", title=title)


@bp.get("/links")
def links():
    setup = _setup()
    ws = extension("ws")
    period = _current_month(setup)
    result, _ = _preview(setup, period)
    status = {r.district_code: r.status for r in result.summary.month_reporting.itertuples()}
    fresh = extension("fresh_links").pop(session.pop("fresh", None), {}) if session.get("fresh") else {}
    base = request.host_url.rstrip("/")
    due = format_date(setup.due_date(period), g.lang)
    rows = []
    for code in setup.district_codes:
        name = setup.district_name(code)
        token = fresh.get(code)
        url = f"{base}{url_for('district.exchange', token=token)}" if token else None
        rows.append({"code": code, "name": name, "link": ws.links().get(code), "status": status.get(code),
                     "url": url, "qr": qr_svg(url, name) if url else None,
                     "message": _w("line_message", district=name, month=period.label(g.lang), due=due, url=url,
                                   province=setup.province_name) if url else None,
                     "reminder": _w("line_reminder", district=name, month=period.label(g.lang), due=due,
                                    province=setup.province_name)})
    from generator.outputs.render_pdf import LABELS

    return render_template("links.html", setup=setup, period=period, rows=rows, L=LABELS[g.lang])


def _remember_fresh(tokens: dict[str, str]) -> None:
    """New tokens are shown once, on the next page: kept in memory, never in the cookie."""
    nonce = secrets.token_urlsafe(16)
    fresh = extension("fresh_links")
    fresh[nonce] = tokens
    while len(fresh) > 50:
        fresh.pop(next(iter(fresh)))
    session["fresh"] = nonce


@bp.post("/links/<code>/renew")
def link_renew(code: str):
    setup = _setup()
    if code not in setup.district_codes:
        abort(404)
    _remember_fresh({code: extension("ws").new_link(code, datetime.now())})
    return redirect(url_for("web.links") + f"#d{code}")


@bp.post("/links/<code>/revoke")
def link_revoke(code: str):
    setup = _setup()
    if code not in setup.district_codes:
        abort(404)
    extension("ws").revoke_link(code, datetime.now())
    flash(_w("link_revoked", district=setup.district_name(code)))
    return redirect(url_for("web.links"))


@bp.post("/links/all/renew")
def links_renew_all():
    setup = _setup()
    ws = extension("ws")
    _remember_fresh({code: ws.new_link(code, datetime.now()) for code in setup.district_codes})
    return redirect(url_for("web.links"))


@bp.post("/links/all/revoke")
def links_revoke_all():
    setup = _setup()
    ws = extension("ws")
    for code in setup.district_codes:
        ws.revoke_link(code, datetime.now())
    flash(_w("links_revoked_all"))
    return redirect(url_for("web.links"))
