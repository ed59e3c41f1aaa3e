"""The shape of the package: no import cycle between its modules, and the heavy libraries only
where they are used (the jobs of a month import no WeasyPrint until a PDF is made)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import generator

PACKAGE = Path(generator.__file__).resolve().parent


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path, modules: set[str]) -> set[str]:
    """Every generator module this file imports, at any depth (inside functions too): an import
    inside a function still makes a cycle, only a later one."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        else:
            continue
        for name in names:
            while name and name not in modules:
                name = name.rpartition(".")[0]
            if name and name != "generator":
                found.add(name)
    return found


def graph() -> dict[str, set[str]]:
    files = {module_name(p): p for p in PACKAGE.rglob("*.py")}
    return {name: imports_of(path, set(files)) - {name} for name, path in files.items()}


def find_cycle(edges: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(edges):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def test_the_cycle_finder_sees_a_cycle():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_the_package_has_no_import_cycle():
    edges = graph()
    assert len(edges) > 20  # the walk found the package
    assert find_cycle(edges) is None, " -> ".join(find_cycle(edges))


def test_the_month_jobs_import_no_weasyprint():
    code = ("import sys, generator.pipeline, generator.cli; "
            "print(sorted(m for m in ('weasyprint', 'pydyf', 'tinycss2') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                          cwd=PACKAGE.parent)
    assert done.stdout.strip() == "[]", done.stdout


def test_history_reads_the_store_without_pandas(setup_path, tmp_path):
    """Issue 17: `savings-report history` answers in well under a second: it reads the setup's
    province and districts and the store with sqlite3, and imports no pandas, openpyxl or WeasyPrint."""
    from generator.store.history import HistoryStore

    store = tmp_path / "history_36.sqlite"
    with HistoryStore.open(store, "36") as opened:
        opened.connection.execute("INSERT INTO months VALUES ('2023-08', 2566)")
        opened.connection.execute("INSERT INTO reports VALUES ('2023-08', '3601', 'late', NULL, NULL)")
    code = ("import sys\nfrom generator.cli import main\n"
            f"sys.argv = ['savings-report', 'history', '--setup', {str(setup_path)!r}, '--store', {str(store)!r}]\n"
            "try:\n    main()\nexcept SystemExit as exc:\n    assert not exc.code, exc.code\n"
            "print('IMPORTED', sorted(m for m in ('pandas', 'numpy', 'openpyxl', 'weasyprint') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=PACKAGE.parent)
    assert done.returncode == 0, done.stderr
    assert "เมืองชัยภูมิ" in done.stdout  # the districts' names, from the setup
    assert done.stdout.strip().endswith("IMPORTED []"), done.stdout[-300:]


# The pipeline's stages in the order data flows; a stage imports only the stages before it.
STAGES = ("core", "intake", "checks", "store", "figures", "outputs", "samples")


def stage_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 2 and parts[1] in STAGES else None


def test_every_stage_imports_only_the_stages_before_it():
    edges = graph()
    assert {stage_of(m) for m in edges} >= set(STAGES)  # the layout is there
    backwards = [f"{a} -> {b}" for a, deps in edges.items() for b in deps
                 if stage_of(a) and stage_of(b) and STAGES.index(stage_of(b)) > STAGES.index(stage_of(a))]
    assert not backwards, backwards
    # the stages never reach up into the jobs or the faces (the demo, sample data, runs the month)
    upward = [f"{a} -> {b}" for a, deps in edges.items() for b in deps
              if stage_of(a) not in (None, "samples") and stage_of(b) is None and b.count(".") == 1
              and b.split(".")[1] not in STAGES]
    assert not upward, upward


def test_the_core_opens_no_file_format_and_no_store():
    """The core is the vocabulary every stage shares: models, periods, values, rules, words."""
    heavy = ("openpyxl", "python_calamine", "weasyprint", "sqlite3", "flask", "jinja2", "typer")
    found = []
    for path in (PACKAGE / "core").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else \
                [node.module] if isinstance(node, ast.ImportFrom) and node.module else []
            found += [f"{path.name}: {n}" for n in names if n.split(".")[0] in heavy]
    assert not found, found


def test_the_command_line_reaches_the_work_only_through_the_jobs():
    """A command parses, calls one job, prints: cli.py imports the jobs and the core's vocabulary
    (words, periods, statuses, the rule catalogue), its own usage words, and the web page for
    `serve`; nothing deeper."""
    edges = graph()
    allowed = [m for m in edges["generator.cli"]
               if m in ("generator.jobs", "generator.usage_words") or m.startswith(("generator.core", "generator.web"))]
    assert set(edges["generator.cli"]) - set(allowed) == set(), sorted(set(edges["generator.cli"]) - set(allowed))
