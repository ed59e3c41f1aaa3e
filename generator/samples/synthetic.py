"""A synthetic nation at the department's real scale, for benchmarks and tests.

76 provinces, 878 districts, 39,600 กข.คจ. villages and 3,647 field officers (the department's
figures, DOMAIN.md), with villages outside the project, groups and targets in the proportions of
the Chaiyaphum demo: about six in ten กข.คจ. villages already have a group when the year begins,
and the two phases' targets are a share of the villages still without one. Province and district
names are made up; codes nest as the government's do (2 → 4 → 8 digits).

Two layers: `nation_plan` and `province_setup` are pure data (seeded, deterministic);
`write_nation` writes every province's setup workbook and every district's filled workbook for a
month, with the district files built by the tool's own writers (`setup.write_setup_workbook`,
`district_template.write_district_workbook` holding the groups `demo.simulated_groups` makes).
Writing the whole nation takes a minute or two on two cores, so it is cached: a folder holding a
`nation.json` written by the same version with the same parameters is reused as it is.

    python -m generator.samples.synthetic OUT_DIR [--provinces N] [--seed S]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
from dataclasses import asdict, dataclass
from datetime import date, datetime
from pathlib import Path

import pandas as pd

from generator.samples.demo import PLACE_NAMES, PLACE_SUFFIXES, DEMO_PERIOD, officer_name, simulated_groups, split_whole
from generator.core.periods import Period
from generator.core.model import Phase, Setup

GENERATOR_VERSION = 1  # bump when the files written change, so cached nations are rebuilt
MANIFEST = "nation.json"

# Share of a district's กข.คจ. villages that have a group when the year begins (Chaiyaphum: 405/655).
HAD_GROUP_SHARE = (0.50, 0.72)
# A phase's target as a share of the villages still without a group (Chaiyaphum: 71/250, then 58/179).
PHASE_SHARE = (0.22, 0.34)
# What happens to a district's return in a month: not sent, sent with an error, sent with a warning.
P_MISSING, P_ERROR, P_WARNING = 0.03, 0.04, 0.05

_PROVINCE_WORDS = ["ศรี", "นคร", "บุรี", "ธานี", "สวรรค์", "ทอง", "แก้ว", "ชัย", "ภูมิ", "เขียว", "ราช", "สิงห์",
                   "สุข", "วารี", "คีรี", "นที", "พนม", "เพชร", "มงคล", "ทิพย์"]


@dataclass(frozen=True)
class NationSpec:
    provinces: int = 76
    districts: int = 878
    kkkj_villages: int = 39_600
    officers: int = 3_647


NATION = NationSpec()


@dataclass(frozen=True)
class ProvincePlan:
    """The numbers of one synthetic province, before any village is made."""

    province_code: str
    province_name: str
    district_names: tuple[str, ...]
    kkkj: tuple[int, ...]  # กข.คจ. villages per district
    had_group: tuple[int, ...]  # of which had a group when the year began
    officers: tuple[int, ...]  # field officers per district
    seed: int

    @property
    def district_codes(self) -> tuple[str, ...]:
        return tuple(f"{self.province_code}{i:02d}" for i in range(1, len(self.district_names) + 1))


def nation_plan(spec: NationSpec = NATION, seed: int = 2566) -> list[ProvincePlan]:
    """How districts, villages and officers are spread over the provinces (exact totals)."""
    rng = random.Random(f"nation-{seed}")
    if not spec.provinces <= spec.districts <= 99 * spec.provinces or spec.provinces > 89:
        raise ValueError(f"cannot make {spec.districts} districts in {spec.provinces} provinces")
    per_province = _split_at_least(spec.districts, [rng.randint(4, 20) for _ in range(spec.provinces)], 1)
    kkkj = _split_at_least(spec.kkkj_villages, [rng.randint(20, 75) for _ in range(spec.districts)], 2)
    officers = _split_at_least(spec.officers, [k + 40 for k in kkkj], 1)
    plans, start = [], 0
    names = _unique_names(rng, spec.provinces, _PROVINCE_WORDS, 2)
    for i, n in enumerate(per_province):
        code = f"{10 + i:02d}"  # 10..85: two digits, as the government's codes are
        share = rng.uniform(*HAD_GROUP_SHARE)
        k = kkkj[start:start + n]
        had = tuple(min(v - 1, max(0, round(v * share * rng.uniform(0.85, 1.15)))) for v in k)
        plans.append(ProvincePlan(
            province_code=code, province_name=names[i],
            district_names=tuple(_unique_names(random.Random(f"{seed}-{code}-names"), n, PLACE_NAMES, 1)),
            kkkj=tuple(k), had_group=had, officers=tuple(officers[start:start + n]), seed=rng.randrange(1 << 30)))
        start += n
    return plans


def _split_at_least(total: int, weights: list[int], floor: int) -> list[int]:
    """Split `total` in proportion to weights, every part at least `floor`."""
    rest = split_whole(total - floor * len(weights), weights)
    return [floor + r for r in rest]


def _unique_names(rng: random.Random, n: int, words: list[str], parts: int) -> list[str]:
    """n different made-up names of `parts` words, with a suffix (เหนือ, ใต้, …) once plain ones run short."""
    names: list[str] = []
    seen: set[str] = set()
    while len(names) < n:
        name = "".join(rng.choice(words) for _ in range(parts))
        if name in seen:
            name += rng.choice(PLACE_SUFFIXES[1:])
        if name not in seen:
            seen.add(name)
            names.append(name)
    return names


def province_setup(plan: ProvincePlan, fiscal_year_be: int = 2566) -> Setup:
    """The province's setup as data: villages, officers, two phases like the demo's, district targets."""
    rng = random.Random(plan.seed)
    villages, officers = [], []
    for code, kkkj, had, n_officers in zip(plan.district_codes, plan.kkkj, plan.had_group, plan.officers):
        flags = [True] * kkkj + [False] * rng.randint(kkkj // 3, kkkj // 2)
        rng.shuffle(flags)
        with_group = set(rng.sample([i for i, f in enumerate(flags) if f], had))
        sub, moo, sub_name = 0, 99, ""
        for i, is_kkkj in enumerate(flags):
            if moo >= rng.randint(8, 16):
                sub, moo, sub_name = sub + 1, 0, rng.choice(PLACE_NAMES)
            moo += 1
            villages.append({
                "village_code": f"{code}{sub:02d}{moo:02d}", "moo": moo,
                "village_name": f"{rng.choice(PLACE_NAMES)}{rng.choice(PLACE_SUFFIXES)}", "subdistrict_name": sub_name,
                "district_code": code, "is_kkkj": is_kkkj,
                "had_group": (i in with_group) if is_kkkj else rng.random() < 0.5,
            })
        for j in range(n_officers):
            officers.append({"officer_id": f"{code}{j + 1:03d}",
                             "officer_name": f"{officer_name(rng)} {code}-{j + 1}",  # unique within a district
                             "district_code": code})
    without = [k - h for k, h in zip(plan.kkkj, plan.had_group)]
    t1 = round(sum(without) * rng.uniform(*PHASE_SHARE))
    phase1 = split_whole(t1, without) if sum(without) else [0] * len(without)
    left = [w - p for w, p in zip(without, phase1)]
    phase2 = split_whole(round(sum(left) * rng.uniform(*PHASE_SHARE)), left) if sum(left) else [0] * len(left)
    ce = fiscal_year_be - 543
    return Setup(
        province_code=plan.province_code, province_name=plan.province_name, fiscal_year_be=fiscal_year_be,
        districts=pd.DataFrame({"district_code": list(plan.district_codes), "district_name": list(plan.district_names)}),
        villages=pd.DataFrame(villages), officers=pd.DataFrame(officers),
        phases=(Phase(1, "ระยะที่ 1", date(ce, 1, 20), date(ce, 6, 30), 15, sum(phase1)),
                Phase(2, "ระยะที่ 2", date(ce, 7, 20), date(ce, 8, 31), 20, sum(phase2))),
        targets=pd.DataFrame(
            [{"district_code": c, "phase": 1, "target_groups": t} for c, t in zip(plan.district_codes, phase1)]
            + [{"district_code": c, "phase": 2, "target_groups": t} for c, t in zip(plan.district_codes, phase2)]),
    )


def district_return(setup: Setup, code: str, period: Period, rng: random.Random) -> tuple[str, pd.DataFrame | None]:
    """What one district sends this month: (kind, groups), kind one of ok, error, warning, missing."""
    roll = rng.random()
    if roll < P_MISSING:
        return "missing", None
    groups = simulated_groups(setup, code, period, seed=rng.randrange(1 << 30)).astype(object)
    if roll < P_MISSING + P_ERROR and len(groups) > 2:  # more borrowers than members: rejected
        groups.loc[groups.index[1], "borrowers"] = int(groups.iloc[1]["members"]) + 7
        return "error", groups
    if roll < P_MISSING + P_ERROR + P_WARNING and len(groups) > 1:  # an officer typed, not picked
        groups.loc[groups.index[0], "officer"] = "พัฒนากรอำเภอ (ไม่ระบุชื่อ)"
        return "warning", groups
    return "ok", groups


def write_province(plan: ProvincePlan, folder: Path, period: Period = DEMO_PERIOD) -> dict:
    """One province's setup workbook and every reporting district's filled workbook, under `folder`."""
    from generator.outputs.district_template import district_file_name, write_district_workbook
    from generator.outputs.setup_template import write_setup_workbook

    setup = province_setup(plan, period.fiscal_year_be)
    folder = Path(folder)
    inbox = folder / "inbox"
    shutil.rmtree(folder, ignore_errors=True)
    inbox.mkdir(parents=True)
    setup_path = write_setup_workbook(folder / f"setup_{plan.province_code}_{setup.fiscal_year_be}.xlsx", setup)
    rng = random.Random(f"{plan.seed}-{period.key}")
    due = setup.due_date(period)
    kinds: dict[str, int] = {}
    for code, name in zip(plan.district_codes, plan.district_names):
        kind, groups = district_return(setup, code, period, rng)
        kinds[kind] = kinds.get(kind, 0) + 1
        if groups is None:
            continue
        path = write_district_workbook(setup, period, code, inbox / district_file_name(period, code, name),
                                       carried=groups)
        late = rng.random() < 0.1
        stamp = datetime.combine(due, datetime.min.time()).replace(hour=10).timestamp() + (3 if late else -2) * 86400
        os.utime(path, (stamp, stamp))  # the day the file arrived
    return {"province_code": plan.province_code, "province_name": plan.province_name,
            "districts": len(plan.district_codes), "kkkj_villages": sum(plan.kkkj),
            "setup": str(setup_path.relative_to(folder.parent)), "inbox": str(inbox.relative_to(folder.parent)),
            "returns": kinds}


@dataclass(frozen=True)
class NationFiles:
    root: Path
    period: Period
    provinces: list[dict]

    def setup_path(self, i: int) -> Path:
        return self.root / self.provinces[i]["setup"]

    def inbox(self, i: int) -> Path:
        return self.root / self.provinces[i]["inbox"]

    @property
    def districts(self) -> int:
        return sum(p["districts"] for p in self.provinces)

    @property
    def files(self) -> int:
        return sum(len(list(self.inbox(i).iterdir())) for i in range(len(self.provinces)))


def _write_province_job(args) -> dict:
    plan, folder, period = args
    return write_province(plan, folder, period)


def write_nation(root: Path, spec: NationSpec = NATION, seed: int = 2566, period: Period = DEMO_PERIOD,
                 workers: int | None = None, progress=None) -> NationFiles:
    """Write (or reuse, when already written with the same parameters) a whole synthetic nation."""
    from concurrent.futures import ProcessPoolExecutor

    from generator.outputs.parallel import process_context

    root = Path(root)
    params = {"generator_version": GENERATOR_VERSION, "spec": asdict(spec), "seed": seed, "period": period.key}
    manifest = root / MANIFEST
    if manifest.is_file():
        data = json.loads(manifest.read_text(encoding="utf-8"))
        if data.get("params") == params:
            return NationFiles(root, period, data["provinces"])
    root.mkdir(parents=True, exist_ok=True)
    manifest.unlink(missing_ok=True)
    plans = nation_plan(spec, seed)
    jobs = [(plan, root / plan.province_code, period) for plan in plans]
    n = max(1, workers or os.cpu_count() or 1)
    if n == 1:
        provinces = []
        for job in jobs:
            provinces.append(_write_province_job(job))
            if progress:
                progress(provinces[-1])
    else:
        with ProcessPoolExecutor(n, mp_context=process_context()) as pool:
            provinces = []
            for done in pool.map(_write_province_job, jobs, chunksize=1):
                provinces.append(done)
                if progress:
                    progress(done)
    # Written last: a nation interrupted half-way has no manifest and is rebuilt next time.
    manifest.write_text(json.dumps({"params": params, "provinces": provinces}, ensure_ascii=False, indent=1),
                        encoding="utf-8")
    return NationFiles(root, period, provinces)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m generator.samples.synthetic", description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--provinces", type=int, default=NATION.provinces,
                        help="fewer provinces (districts, villages and officers scale down with them)")
    parser.add_argument("--seed", type=int, default=2566)
    parser.add_argument("--workers", type=int, default=None)
    args = parser.parse_args(argv)
    spec = scaled(args.provinces)
    nation = write_nation(args.out, spec, args.seed, workers=args.workers,
                          progress=lambda p: print(f"{p['province_code']} {p['province_name']}: {p['districts']} districts",
                                                   flush=True))
    print(f"{len(nation.provinces)} provinces, {nation.districts} districts in {nation.root}")


def scaled(provinces: int) -> NationSpec:
    """The nation's proportions for fewer provinces."""
    if provinces == NATION.provinces:
        return NATION
    f = provinces / NATION.provinces
    return NationSpec(provinces, max(provinces, round(NATION.districts * f)),
                      max(2 * provinces, round(NATION.kkkj_villages * f)), max(provinces, round(NATION.officers * f)))


if __name__ == "__main__":
    main()
