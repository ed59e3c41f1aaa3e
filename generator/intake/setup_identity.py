"""The province and its districts from the setup workbook, and nothing else: for a job that shows
what the store holds (`savings-report history`), which needs the province's code (to find and
claim its store) and the districts' names, not the checked model of the whole year.

Read through the same safe reader, header search and value readers as the full setup
(`setup_workbook.load_setup`), without pandas: anything off in these two tables (a sheet or column
missing, a value that cannot be read) and the full setup is read instead, which says what is
wrong in every table as it always does.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from generator.core.problems import errors
from generator.core.schema import DISTRICTS, PROVINCE
from generator.intake.limits import FileRejected
from generator.intake.parsing import parse_records
from generator.intake.safe import find_table, open_workbook, read_meta


@dataclass(frozen=True)
class SetupIdentity:
    province_code: str
    province_name: str
    districts: tuple[tuple[str, str], ...]  # (code, name), in the setup's order

    @property
    def district_codes(self) -> list[str]:
        return [code for code, _ in self.districts]

    def district_name(self, code: str) -> str:
        return next((name for c, name in self.districts if c == code), code)


def read_identity(path: Path) -> SetupIdentity | None:
    """The identity, or None when these two tables are not plainly readable."""
    path = Path(path)
    try:
        wb, _ = open_workbook(path)
        meta = read_meta(wb, path.name)
        tables = {}
        for table in (PROVINCE, DISTRICTS):
            found = find_table(wb, table, meta, path.name)
            if found is None or found.missing:
                return None
            records, _, problems = parse_records(found, table, path.name)
            if errors(problems) or not records:
                return None
            tables[table.key] = records
    except FileRejected:
        return None
    province = tables[PROVINCE.key][0]
    districts = tuple((r["district_code"], r["district_name"]) for r in tables[DISTRICTS.key])
    if not all(isinstance(v, str) and v for v in (province["province_code"], province["province_name"],
                                                   *(x for d in districts for x in d))):
        return None
    return SetupIdentity(province["province_code"], province["province_name"], districts)


def load_identity(path: Path):
    """The identity; when it cannot be read plainly, the full setup (`SetupInvalid` says why)."""
    identity = read_identity(path)
    if identity is not None:
        return identity
    from generator.intake.setup_workbook import load_setup

    return load_setup(Path(path))
