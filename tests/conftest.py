"""Shared fixtures: the demo province written to a real setup workbook, templates and filled returns."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from generator.samples.demo import DEMO_PERIOD, chaiyaphum_setup, fill_workbook, simulated_groups
from generator.outputs.district_template import write_district_workbook
from generator.intake.setup_workbook import load_setup
from generator.outputs.setup_template import write_setup_workbook


@pytest.fixture(scope="session")
def setup_path(tmp_path_factory) -> Path:
    return write_setup_workbook(tmp_path_factory.mktemp("setup") / "setup.xlsx", chaiyaphum_setup())


@pytest.fixture(scope="session")
def setup(setup_path):
    return load_setup(setup_path)


@pytest.fixture(scope="session")
def period():
    return DEMO_PERIOD


@pytest.fixture(scope="session")
def template_for(setup, period, tmp_path_factory):
    """A fresh district template per district code (written once per session)."""
    folder = tmp_path_factory.mktemp("templates")
    cache: dict[str, Path] = {}

    def make(code: str) -> Path:
        if code not in cache:
            cache[code] = write_district_workbook(setup, period, code, folder / f"{code}.xlsx")
        return cache[code]

    return make


@pytest.fixture
def filled(setup, period, template_for, tmp_path):
    """fill(code, typed={(row_index, key): value}, groups=None, name=None) -> path of a filled return."""

    def fill(code: str, typed: dict | None = None, groups: pd.DataFrame | None = None,
             name: str | None = None, folder: Path | None = None) -> Path:
        groups = simulated_groups(setup, code, period) if groups is None else groups
        target = (folder or tmp_path / "inbox") / (name or f"{code}.xlsx")
        return fill_workbook(template_for(code), groups, target, typed)

    return fill
