"""The package as an office installs it: a wheel built from this checkout, installed into a fresh
virtual environment outside the repository, run from an empty folder. Nothing of the checkout is on
that environment's path, so a template, stylesheet or other file left out of the wheel fails here.

The dependency set is also resolved for Windows (win_amd64, Python 3.11) against the lock, so a
Windows-only break is seen on this Linux machine.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.test_render_pdf import needs_poppler
from tests.test_report_figures import check_demo_pdf

ROOT = Path(__file__).resolve().parent.parent
LOCK = ROOT / "constraints.txt"


def uv() -> str:
    found = shutil.which("uv", path=str(Path(sys.executable).parent)) or shutil.which("uv")
    if found is None:
        pytest.fail("uv is a test dependency (pip install -e '.[test]')")
    return found


def run(args, cwd: Path, env: dict | None = None, timeout: int = 900) -> subprocess.CompletedProcess:
    done = subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=timeout)
    assert done.returncode == 0, f"{args}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """The bin folder of a fresh venv holding only the wheel and its locked dependencies."""
    work = tmp_path_factory.mktemp("wheel")
    built = run([uv(), "build", "--wheel", "--out-dir", work / "dist", ROOT], cwd=work)
    assert "Deprecat" not in built.stdout + built.stderr  # pyproject.toml as setuptools wants it today
    wheel = next((work / "dist").glob("savings_report-*.whl"))
    venv = work / "venv"
    run([uv(), "venv", "--python", sys.executable, venv], cwd=work)
    python = venv / "bin" / "python"
    run([uv(), "pip", "install", "--python", python, "--constraint", LOCK, wheel], cwd=work)
    return venv / "bin"


def clean_env() -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep) if ".venv" not in p)
    return env


@needs_poppler
def test_the_installed_wheel_makes_the_demo_from_an_empty_folder(installed, tmp_path):
    empty = tmp_path / "office"
    empty.mkdir()
    run([installed / "savings-report", "demo"], cwd=empty, env=clean_env())
    # The wheel's own files were used, not the checkout's.
    where = run([installed / "python", "-c", "import generator, sys; print(generator.__file__)"],
                cwd=empty, env=clean_env()).stdout
    assert str(ROOT) not in where and "site-packages" in where
    pdfs = sorted((empty / "output" / "demo").glob("report_*.pdf"))
    assert pdfs, list((empty / "output").rglob("*"))
    check_demo_pdf(pdfs[0])


def test_the_installed_wheel_lists_the_rules(installed, tmp_path):
    done = run([installed / "savings-report", "rules"], cwd=tmp_path, env=clean_env())
    assert "G_BORROWERS_GT_MEMBERS" in done.stdout


def test_the_lock_pins_every_dependency_and_resolves_on_windows(tmp_path):
    """constraints.txt pins each requirement of pyproject.toml, and the same set resolves for
    Windows (x86_64, Python 3.11) within those pins."""
    import tomllib

    from packaging.requirements import Requirement

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    wanted = project["dependencies"] + [r for extra in project["optional-dependencies"].values() for r in extra]
    pinned = {}
    for line in LOCK.read_text(encoding="utf-8").splitlines():
        line = line.split("#")[0].strip()
        if "==" in line:
            name, version = line.split(";")[0].split("==")
            pinned[name.strip().lower().replace("_", "-")] = version.strip()
    for spec in wanted:
        req = Requirement(spec)
        name = req.name.lower().replace("_", "-")
        assert name in pinned, f"{name} is not in constraints.txt: run `make lock`"
        assert req.specifier.contains(pinned[name], prereleases=True), (name, pinned[name], str(req.specifier))
    done = run([uv(), "pip", "compile", ROOT / "pyproject.toml", "--all-extras", "--constraint", LOCK,
                "--python-platform", "x86_64-pc-windows-msvc", "--python-version", "3.11", "--no-header",
                "--output-file", tmp_path / "windows.txt"], cwd=tmp_path)
    windows = (tmp_path / "windows.txt").read_text(encoding="utf-8")
    for name in ("weasyprint", "python-calamine", "openpyxl", "pandas"):
        assert f"{name}=={pinned[name]}" in windows, done.stderr
