"""A problem found in an input, located to the file, sheet and cell, in Thai and English."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields

from generator.core import texts

ERROR = "error"  # the file is rejected
WARNING = "warning"  # accepted, shown to the district
# A value that is possible but unusual (savings that fell, members halved): the file is rejected
# until the district types ใช่ in the row's confirm column. A rule of this severity reports an
# unconfirmed row as NEEDS_CONFIRMATION (rejects) and a confirmed one as CONFIRMED (accepted, shown).
NEEDS_CONFIRMATION = "needs_confirmation"
CONFIRMED = "confirmed"
NOTE = "note"  # information only (a check that could not be made): neither error nor warning

SEVERITY_LABELS = {lang: texts.section("severity", lang) for lang in texts.LANGS}
BLOCKING = frozenset({ERROR, NEEDS_CONFIRMATION})
SHOWN_AS_WARNING = frozenset({WARNING, CONFIRMED})


@dataclass(frozen=True)
class Problem:
    rule_id: str
    severity: str
    file: str
    sheet: str | None
    cell: str | None
    value: str | None
    message_th: str
    message_en: str
    fix_th: str
    fix_en: str
    district_code: str | None = None
    # the province a national roll-up's problem is about (a result file, a province not reported)
    province_code: str | None = None
    province_name: str | None = None

    @property
    def is_error(self) -> bool:
        """Whether this problem rejects the file (an error, or a value still to be confirmed)."""
        return self.severity in BLOCKING

    @property
    def is_warning(self) -> bool:
        return self.severity in SHOWN_AS_WARNING

    def message(self, lang: str = "th") -> str:
        return self.message_th if lang == "th" else self.message_en

    def fix(self, lang: str = "th") -> str:
        return self.fix_th if lang == "th" else self.fix_en

    def where(self, lang: str = "th") -> str:
        """``ไฟล์ x.xlsx ชีต กลุ่มออมทรัพย์ เซลล์ F7``"""
        words = texts.section("problem", lang)
        parts = [f"{words['file']} {self.file}"]
        if self.sheet:
            parts.append(f"{words['sheet']} {self.sheet}")
        if self.cell:
            parts.append(f"{words['cell']} {self.cell}")
        return " ".join(parts)

    def render(self, lang: str = "th") -> str:
        label = SEVERITY_LABELS[lang][self.severity]
        found = ""
        if self.value not in (None, ""):
            found = f" ({texts.text('problem.found', lang, value=self.value)})"
        return f"[{label} {self.rule_id}] {self.where(lang)}{found}: {self.message(lang)} {self.fix(lang)}"

    def to_dict(self) -> dict:
        # `rejects_file` spares other tools from knowing which severities block a file.
        return {**asdict(self), "rejects_file": self.is_error}

    @classmethod
    def from_dict(cls, data: dict) -> "Problem":
        """A problem as `to_dict` wrote it (derived keys such as `rejects_file` are left out)."""
        return cls(**{f.name: data[f.name] for f in fields(cls) if f.name in data})


def needs_feedback(severities) -> bool:
    """Whether a file with problems of these severities gets a feedback workbook: an error, a value
    to confirm or a warning does; a note alone does not."""
    return any(s in BLOCKING or s in SHOWN_AS_WARNING for s in severities)


def errors(problems: list[Problem]) -> list[Problem]:
    return [p for p in problems if p.is_error]


def warnings(problems: list[Problem]) -> list[Problem]:
    """What is shown as a warning: warnings and confirmed values, not notes."""
    return [p for p in problems if p.is_warning]
