"""The summary paragraphs of page 1, written the way the department's own posts are (seeds 000
and 004): the target, then "จำนวน … กลุ่ม จากเป้าหมาย … กลุ่ม คิดเป็นร้อยละ …", the fiscal year as
"ปีงบประมาณ พ.ศ. 2566", the programme spelt out at its first mention.

The sentences are the catalogue's ``narrative.*`` texts; this module only chooses and joins them.
Names from the setup are escaped and kept whole on a line (``<span class="nobr">``).
"""

from __future__ import annotations

from markupsafe import Markup, escape

from generator.core import texts
from generator.figures.summary import MonthSummary
from generator.core.statuses import BEHIND, NOT_REACHED, NOT_STARTED, ON_TRACK, REACHED


def fmt_int(n) -> str:
    return "–" if n is None else f"{int(n):,}"


def fmt_pct(x) -> str:
    return "–" if x is None else f"{float(x):,.2f}"


def plural(n: int, key: str, lang: str) -> str:
    """``1 district`` / ``3 districts``; Thai has one form (``3 อำเภอ``)."""
    form = "one" if n == 1 else "many"
    return texts.text(f"narrative.unit.{key}.{form}", lang, n=fmt_int(n))


NAMES_MAX = 4  # districts named in a sentence; the rest are counted (section 2 lists every one)


def names(districts, lang: str) -> Markup:
    """อำเภอเกษตรสมบูรณ์ หนองบัวระเหว และเมืองชัยภูมิ / Kaset Sombun, Nong Bua Rawe and Mueang; past
    NAMES_MAX, "… และอีก 4 อำเภอ", so that page 1 holds however many districts are listed."""
    districts = list(districts)
    shown = districts if len(districts) <= NAMES_MAX + 1 else districts[:NAMES_MAX]
    spans = [Markup('<span class="nobr">{}</span>').format(
        (texts.text("narrative.district_prefix", lang) if i == 0 else "") + d.district_name)
        for i, d in enumerate(shown)]
    if len(shown) < len(districts):
        spans.append(Markup(escape(texts.text("narrative.and_more", lang,
                                              n=plural(len(districts) - len(shown), "district", lang)))))
    if len(spans) < 2:
        return Markup("").join(spans)
    sep, last = Markup(escape(texts.text("narrative.list_sep", lang))), Markup(escape(texts.text("narrative.list_and", lang)))
    return sep.join(spans[:-1]) + last + spans[-1]


def _t(key: str, lang: str, **params) -> Markup:
    """A sentence of the catalogue with its fields escaped (names may hold anything typed)."""
    safe = {k: v if isinstance(v, Markup) else escape(v) for k, v in params.items()}
    return Markup(escape(texts.TEXTS["narrative." + key][0 if lang != "en" else 1])).format(**safe)


def paragraphs(s: MonthSummary, lang: str = "th") -> list[Markup]:
    by_state = {state: sum(1 for d in s.reported if d.year.status == state)
                for state in (REACHED, ON_TRACK, BEHIND, NOT_STARTED, NOT_REACHED)}
    behind = sorted((d for d in s.reported if d.year.status == BEHIND),
                    key=lambda d: (d.year.percent if d.year.percent is not None else -1, d.district_code))
    not_reached = sorted((d for d in s.reported if d.year.status == NOT_REACHED),
                         key=lambda d: (d.year.percent if d.year.percent is not None else -1, d.district_code))
    fy = s.fiscal_year_be
    status = texts.text("target." + s.year.status, lang)

    # The date the figures stand at is in the title block; the paragraph keeps to the figures, so that
    # page 1 holds them whatever the names of the phases and however many districts are missing.
    first = _t("target", lang, fiscal_year=fy, province=s.province_name)
    first += _t("founded", lang, founded=fmt_int(s.year.founded), target=fmt_int(s.year.target),
                percent=fmt_pct(s.year.percent), status=status)
    if len(s.phases) > 1:
        parts = []
        for p in s.phases:
            if p.status == NOT_STARTED:
                parts.append(_t("phase_not_started", lang, phase=p.label, target=fmt_int(p.target)))
            else:
                parts.append(_t("phase", lang, phase=p.label, founded=fmt_int(p.founded), target=fmt_int(p.target),
                                percent=fmt_pct(p.percent)))
        first += _t("by_phase", lang) + _join(parts, lang)
    first += _t("end", lang)
    if s.villages_with_group > s.villages_with_group_start:
        first += _t("coverage_rose", lang, start=fmt_int(s.villages_with_group_start),
                    start_percent=fmt_pct(s.coverage_start_percent), now=fmt_int(s.villages_with_group),
                    now_percent=fmt_pct(s.coverage_percent), kkkj=fmt_int(s.kkkj_villages))
    else:
        first += _t("coverage_same", lang, now=fmt_int(s.villages_with_group), kkkj=fmt_int(s.kkkj_villages),
                    now_percent=fmt_pct(s.coverage_percent))

    t = s.total
    money = _t("money", lang, province=s.province_name, groups=fmt_int(t.groups),
               villages_any=fmt_int(t.villages_with_any_group), villages=fmt_int(t.villages),
               villages_percent=fmt_pct(t.villages_any_percent), members=fmt_int(t.members),
               savings=_baht(t.savings_baht), borrowers=fmt_int(t.borrowers),
               borrowers_percent=fmt_pct(t.borrowers_percent), loans=_baht(t.loans_baht))
    # groups, villages and money are over the districts whose groups are known (README, docs/month.md)
    if s.without_figures:
        money += _t("scope_known", lang, n=plural(len(s.with_figures), "district", lang))
    money += _t("money_end", lang)

    officers = _t("officers", lang, officers=fmt_int(t.officers), with_group=fmt_int(t.officers_with_group),
                  percent=fmt_pct(t.officers_percent), fiscal_year=fy)

    states = _t("reached", lang, n=plural(by_state[REACHED], "district", lang))
    if by_state[ON_TRACK]:
        states += _t("on_track", lang, n=plural(by_state[ON_TRACK], "district", lang))
    if not_reached:
        states += _t("not_reached", lang, n=plural(len(not_reached), "district", lang), names=names(not_reached, lang))
    if behind:
        states += _t("behind", lang, n=plural(len(behind), "district", lang), names=names(behind, lang))
    elif not not_reached:
        states += _t("none_behind", lang)
    if by_state[NOT_STARTED]:
        states += _t("not_started", lang, n=plural(by_state[NOT_STARTED], "district", lang))
    states += _t("reporting", lang, reported=fmt_int(len(s.reported)), districts=plural(len(s.districts), "district", lang),
                 rate=fmt_pct(s.reporting_rate), on_time=plural(s.month_timeliness["on_time"], "district", lang),
                 on_time_rate=fmt_pct(s.on_time_rate))
    if s.missing:
        states += _t("missing", lang, n=plural(len(s.missing), "district", lang), names=names(s.missing, lang))
    if s.rejected:
        states += _t("rejected", lang, n=plural(len(s.rejected), "district", lang), names=names(s.rejected, lang))
    # Districts without this month's report are either carried (their last accepted month counts)
    # or, with nothing accepted this year, left out (they count 0): named above, said here.
    if s.carried:
        states += _t("carried", lang, names=names(s.carried, lang))
        if s.without_figures:
            states += _t("others_left_out", lang)
    elif s.without_figures:
        states += _t("left_out", lang)
    if not s.missing and not s.rejected:
        states += _t("all_in", lang)
    return [first, money, officers, states]


def _join(parts: list[Markup], lang: str) -> Markup:
    if len(parts) < 2:
        return Markup("").join(parts)
    return Markup(escape(texts.text("narrative.list_sep", lang))).join(parts[:-1]) + \
        Markup(escape(texts.text("narrative.list_and", lang))) + parts[-1]


def _baht(value) -> str:
    """789,002,813 in a sentence (whole baht, as the department writes them), 1,234.50 otherwise."""
    if value is None:
        return "–"
    value = round(float(value), 2)
    return f"{value:,.0f}" if value == int(value) else f"{value:,.2f}"
