"""The national roll-up (ระดับประเทศ): every province's month in one report for the department.

Each provincial run leaves `result_<province>_<yyyy-mm BE>.json` beside its PDF (see docs/national.md, "The
result file"). This module finds those files for a month in the folders it is given, checks them,
and adds them up: provinces against their targets, a ranking, reporting rates, money and member
totals. Finding and reading files is at the edge (`collect_results`; `nation.run_national` writes the outputs); the roll-up
itself (`roll_up`) is pure.

What can go wrong is reported, never dropped, in Thai and English: a folder holding no result for
the month, a file that is not a result file or is damaged, a result of another month, two results
of one province (the one made last counts), a province on the expected list that sent nothing.
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from generator.core import texts
from generator.core.periods import Period, PeriodError
from generator.core.problems import ERROR, Problem
from generator.core.rules import rule
from generator.figures.standing import competition_ranks
from generator.figures.progress import CoverageRatios, GroupRatios, Progress, percent

OFFICE_TH, OFFICE_EN = texts.TEXTS["national.office"]
RESULT_VERSION_READ = 2  # result files of this version or later carry everything the roll-up needs

# A notice that is an error is a file that cannot be used (exit status 1); a province with no result
# this month is listed with the provinces still to send, as a district that did not report is.

# What went wrong with a result file, or a province that sent none, as rules of the catalogue.
NOTICE_RULES = {"unreadable": "N_UNREADABLE", "old_version": "N_OLD_VERSION", "other_period": "N_OTHER_PERIOD",
                "no_result": "N_NO_RESULT", "not_reported": "N_NOT_REPORTED", "duplicate": "N_DUPLICATE",
                "bad_expect": "N_BAD_EXPECT"}
NOT_YET_SENT = frozenset({"N_NO_RESULT", "N_NOT_REPORTED"})  # shown with the provinces still to send


def notice(kind: str, file: str, province_code: str | None = None, province_name: str | None = None,
           **params) -> Problem:
    params = {"detail": "", "value": "", "expected": "", "code": province_code or "", **params}
    return rule(NOTICE_RULES[kind]).problem(file=file, province_code=province_code, province_name=province_name,
                                            **params)


@dataclass(frozen=True)
class ProvinceFigures(GroupRatios, CoverageRatios):
    """One province's month, as its result file states it (or the nation's total)."""

    province_code: str
    province_name: str
    office_name: str
    made_on: date | None
    source: str
    phases: tuple[Progress, ...]
    year: Progress
    districts: int
    reported: int
    rejected: int
    missing: int
    on_time_rate: float | None
    kkkj_villages: int
    villages_with_group_start: int
    villages_with_group: int
    groups: int
    members: int
    savings_baht: float
    borrowers: int
    loans_baht: float
    officers: int
    officers_with_group: int
    rank: int | None = None

    @property
    def reporting_rate(self) -> float | None:
        return percent(self.reported, self.districts)


@dataclass(frozen=True)
class MissingProvince:
    province_code: str | None
    province_name: str | None
    where: str  # the folder or list that should have held it


@dataclass(frozen=True)
class NationalSummary:
    period: Period
    made_on: date
    fiscal_year_be: int
    provinces: tuple[ProvinceFigures, ...]  # ranked, best first
    total: ProvinceFigures
    missing: tuple[MissingProvince, ...] = ()
    notices: tuple[Problem, ...] = ()

    @property
    def phase_labels(self) -> list[str]:
        return [p.label for p in self.total.phases]

    @property
    def provinces_expected(self) -> int:
        return len(self.provinces) + len(self.missing)

    @property
    def province_reporting_rate(self) -> float | None:
        return percent(len(self.provinces), self.provinces_expected)

    def by_status(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for p in self.provinces:
            out[p.year.status] = out.get(p.year.status, 0) + 1
        return out


class ResultUnreadable(Exception):
    def __init__(self, kind: str, **params):
        super().__init__(kind)
        self.kind, self.params = kind, params


def _progress(d: dict) -> Progress:
    return Progress(str(d["label"]), int(d["target"]), int(d["founded"]), float(d["expected"]))


def province_from_result(data: dict, source: str) -> ProvinceFigures:
    """A result file's content as figures; raises ResultUnreadable naming what is wrong."""
    if not isinstance(data, dict) or "province_code" not in data or "period" not in data:
        raise ResultUnreadable("unreadable", detail="ไม่ใช่ไฟล์ result_*.json ของโปรแกรมนี้",
                               detail_en="not a result_*.json written by this tool")
    version = data.get("result_version", 1)
    if not isinstance(version, int) or version < RESULT_VERSION_READ:
        raise ResultUnreadable("old_version", value=version)
    try:
        t, r = data["totals"], data["district_reports"]
        return ProvinceFigures(
            province_code=str(data["province_code"]), province_name=str(data["province_name"]),
            office_name=str(data.get("office_name", "")),
            made_on=date.fromisoformat(data["made_on"]) if data.get("made_on") else None, source=source,
            phases=tuple(_progress(p) for p in data["phases"]), year=_progress(data["year"]),
            districts=int(r["districts"]), reported=int(r["accepted"]), rejected=int(r["rejected"]),
            missing=int(r["missing"]),
            on_time_rate=None if data.get("on_time_rate") is None else float(data["on_time_rate"]),
            kkkj_villages=int(data["kkkj_villages"]), villages_with_group_start=int(data["villages_with_group_start"]),
            villages_with_group=int(data["villages_with_group"]),
            groups=int(t["groups"]), members=int(t["members"]), savings_baht=float(t["savings_baht"]),
            borrowers=int(t["borrowers"]), loans_baht=float(t["loans_baht"]), officers=int(t["officers"]),
            officers_with_group=int(t["officers_with_group"]),
        )
    except (KeyError, TypeError, ValueError) as exc:
        detail = f"{type(exc).__name__}: {exc}"[:120]
        raise ResultUnreadable("unreadable", detail=f"ข้อมูลไม่ครบหรือผิดรูปแบบ: {detail}",
                               detail_en=f"missing or malformed field: {detail}") from None


# --- the roll-up (pure) -----------------------------------------------------------------------

def _sum_progress(label: str, items: list[Progress]) -> Progress:
    target = sum(p.target for p in items)
    expected = sum(p.target * p.expected for p in items) / target if target else 0.0
    return Progress(label, target, sum(p.founded for p in items), expected)


def rank_provinces(provinces: list[ProvinceFigures]) -> list[ProvinceFigures]:
    """Best first: the year's percentage of target, then groups founded; equal figures share a rank."""
    def key(p: ProvinceFigures):
        pct = p.year.percent
        return (pct is None, -(pct or 0.0), -p.year.founded)

    ordered = sorted(provinces, key=lambda p: (*key(p), p.province_code))
    return [_replace(p, rank=rank) for p, rank in zip(ordered, competition_ranks([key(p) for p in ordered]))]


def _replace(p: ProvinceFigures, **changes) -> ProvinceFigures:
    from dataclasses import replace

    return replace(p, **changes)


def roll_up(provinces: list[ProvinceFigures], period: Period, made_on: date,
            missing: list[MissingProvince] = (), notices: list[Problem] = ()) -> NationalSummary:
    labels: list[str] = []
    for p in provinces:
        labels += [ph.label for ph in p.phases if ph.label not in labels]
    phases = tuple(_sum_progress(label, [ph for p in provinces for ph in p.phases if ph.label == label])
                   for label in labels)

    def total(attr: str):
        return sum(getattr(p, attr) for p in provinces)

    on_time = [(p.on_time_rate, p.districts) for p in provinces if p.on_time_rate is not None]
    weight = sum(d for _, d in on_time)
    nation = ProvinceFigures(
        province_code="00", province_name="ทั้งประเทศ", office_name=OFFICE_TH, made_on=made_on, source="",
        phases=phases, year=_sum_progress("ทั้งปี", [p.year for p in provinces]),
        districts=total("districts"), reported=total("reported"), rejected=total("rejected"),
        missing=total("missing"),
        on_time_rate=round(sum(r * d for r, d in on_time) / weight, 2) if weight else None,
        **{k: total(k) for k in ("kkkj_villages", "villages_with_group_start", "villages_with_group", "groups",
                                 "members", "savings_baht", "borrowers", "loans_baht", "officers",
                                 "officers_with_group")})
    return NationalSummary(period=period, made_on=made_on, fiscal_year_be=period.fiscal_year_be,
                           provinces=tuple(rank_provinces(provinces)), total=nation,
                           missing=tuple(sorted(missing, key=lambda m: (m.province_code or "99", m.where))),
                           notices=tuple(notices))


# --- finding and reading the result files (the edge) -----------------------------------------

def _result_files(folder: Path, period: Period | None) -> list[Path]:
    pattern = f"result_*_{period.be_key}.json" if period else "result_*.json"
    return sorted(p for p in folder.rglob(pattern)
                  if not any(part.startswith(".") for part in p.relative_to(folder).parts))


def _read(path: Path) -> dict:
    try:
        if path.stat().st_size > 50 * 1024 * 1024:
            raise ResultUnreadable("unreadable", detail="ไฟล์ใหญ่เกินไป", detail_en="file too large")
        return json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ResultUnreadable("unreadable", detail=f"JSON เสีย: {type(exc).__name__}",
                               detail_en=f"damaged JSON: {type(exc).__name__}") from None


def read_expected(path: Path) -> tuple[list[tuple[str, str]], list[Problem]]:
    """The provinces that should report: a CSV of `code,name` lines (a header line is allowed)."""
    rows, notices = [], []
    with open(path, encoding="utf-8-sig", newline="") as f:
        for i, row in enumerate(csv.reader(f), start=1):
            cells = [c.strip() for c in row]
            if not any(cells) or (i == 1 and not cells[0].isdigit()):
                continue
            if len(cells) < 2 or not (len(cells[0]) == 2 and cells[0].isdigit()) or not cells[1]:
                notices.append(notice("bad_expect", path.name, value=i, detail=", ".join(cells)[:80]))
                continue
            rows.append((cells[0], cells[1]))
    return rows, notices


def collect_results(paths: list[Path], period: Period,
                    expected: list[tuple[str, str]] | None = None) -> tuple[list[ProvinceFigures], list[MissingProvince], list[Problem]]:
    """Every province's result for the month from folders (searched recursively) or files given."""
    found: dict[str, list[ProvinceFigures]] = {}
    missing: list[MissingProvince] = []
    notices: list[Problem] = []
    expected_text, expected_en = period.thai(), period.english()

    def take(path: Path) -> bool:
        try:
            data = _read(path)
            figures = province_from_result(data, str(path))
            if data.get("period") != period.key:
                try:
                    other = Period.parse(str(data.get("period")))
                    value, value_en = other.thai(), other.english()
                except PeriodError:
                    value = value_en = str(data.get("period"))[:20]
                notices.append(notice("other_period", path.name, figures.province_code, figures.province_name,
                                      value=value, value_en=value_en, expected=expected_text,
                                      expected_en=expected_en))
                return False
        except ResultUnreadable as exc:
            notices.append(notice(exc.kind, path.name, **exc.params))
            return False
        except OSError as exc:
            notices.append(notice("unreadable", path.name, detail=exc.strerror or type(exc).__name__))
            return False
        found.setdefault(figures.province_code, []).append(figures)
        return True

    for path in paths:
        path = Path(path)
        if path.is_file():
            take(path)
            continue
        files = _result_files(path, period) if path.is_dir() else []
        for f in files:
            take(f)
        if not files:
            code, name, detail, detail_en = _latest_other(path)
            missing.append(MissingProvince(code, name, str(path)))
            notices.append(notice("no_result", str(path), code, name, expected=expected_text,
                                  expected_en=expected_en, detail=detail, detail_en=detail_en))
    chosen = []
    for code, results in found.items():
        results.sort(key=lambda p: (p.made_on or date.min, p.source))
        chosen.append(results[-1])
        if len(results) > 1:
            notices.append(notice("duplicate", Path(results[-1].source).name, code, results[-1].province_name,
                                  value=results[-1].province_name))
    have = {p.province_code for p in chosen} | {m.province_code for m in missing}
    for code, name in expected or []:
        if code not in have:
            missing.append(MissingProvince(code, name, "--expect"))
            notices.append(notice("not_reported", "--expect", code, name, value=name, expected=expected_text,
                                  expected_en=expected_en))
    return chosen, missing, notices


def _latest_other(folder: Path) -> tuple[str | None, str | None, str, str]:
    """For a folder without this month's result: whose folder is it, and what is its latest month?"""
    if not folder.is_dir():
        return None, None, " (ไม่พบโฟลเดอร์)", " (folder not found)"
    latest: dict[str, tuple[str, str]] = {}  # province code -> (latest period, name)
    for path in _result_files(folder, None):
        try:
            data = _read(path)
        except (ResultUnreadable, OSError):
            continue
        if isinstance(data, dict) and data.get("province_code"):
            code, month = str(data["province_code"]), str(data.get("period", ""))
            if code not in latest or month > latest[code][0]:
                latest[code] = (month, str(data.get("province_name") or code))
    if len(latest) != 1:
        return None, None, "", ""
    code, (month, name) = next(iter(latest.items()))
    try:
        th, en = Period.parse(month).thai(), Period.parse(month).english()
    except PeriodError:
        th = en = "?"
    return code, name, f" (จังหวัด{name} ผลล่าสุดเป็นของเดือน{th})", f" ({name}: latest result is for {en})"


# --- the whole job --------------------------------------------------------------------------

@dataclass
class NationalResult:
    summary: NationalSummary
    outputs: dict[str, Path] = field(default_factory=dict)

    @property
    def exit_code(self) -> int:
        """0: every result was used; 1: some file could not be used; 2: no province had a result at all."""
        if not self.summary.provinces:
            return 2
        return 1 if any(n.severity == ERROR for n in self.summary.notices) else 0


def national_output_names(period: Period) -> dict[str, str]:
    return {"pdf": f"national_{period.be_key}.pdf", "excel": f"national_{period.be_key}.xlsx",
            "json": f"national_{period.be_key}.json"}


def national_json(s: NationalSummary) -> str:
    def figures(p: ProvinceFigures) -> dict:
        return {"province_code": p.province_code, "province_name": p.province_name, "rank": p.rank,
                "phases": [{"label": ph.label, "target": ph.target, "founded": ph.founded, "percent": ph.percent}
                           for ph in p.phases],
                "year": {"target": p.year.target, "founded": p.year.founded, "percent": p.year.percent,
                         "status": p.year.status},
                "districts": p.districts, "districts_reported": p.reported, "districts_rejected": p.rejected,
                "districts_missing": p.missing, "reporting_rate": p.reporting_rate, "on_time_rate": p.on_time_rate,
                "kkkj_villages": p.kkkj_villages, "villages_with_group_start": p.villages_with_group_start,
                "villages_with_group": p.villages_with_group, "groups": p.groups, "members": p.members,
                "savings_baht": round(p.savings_baht, 2), "borrowers": p.borrowers,
                "loans_baht": round(p.loans_baht, 2), "officers": p.officers,
                "officers_with_group": p.officers_with_group, "source": p.source}

    data = {"period": s.period.key, "period_be": s.period.be_key, "made_on": s.made_on.isoformat(),
            "fiscal_year_be": s.fiscal_year_be, "total": figures(s.total),
            "provinces": [figures(p) for p in s.provinces],
            "missing": [m.__dict__ for m in s.missing], "notices": [n.to_dict() for n in s.notices]}
    return json.dumps(data, ensure_ascii=False, indent=1)


def describe(result: NationalResult, lang: str = "th") -> list[str]:
    """What the command line prints after a national run."""
    s, t = result.summary, result.summary.total
    lines = [n.render(lang) for n in s.notices]
    if not s.provinces:
        return lines + [texts.text("national.cli_nothing", lang)]
    lines.append(texts.text("national.cli_provinces", lang, n=len(s.provinces), expected=s.provinces_expected,
                            reported=f"{t.reported:,}", districts=f"{t.districts:,}"))
    lines.append(texts.text("national.cli_founded", lang, founded=f"{t.year.founded:,}", target=f"{t.year.target:,}",
                            percent=f"{t.year.percent or 0:.2f}"))
    lines += [f"  {path}" for path in result.outputs.values()]
    return lines
