"""Writes the example workbooks kept in `input_templates/`: `python -m generator.samples.examples`.

They are made by the same code as every run, so they never drift from what the tool reads.
"""

from __future__ import annotations

from pathlib import Path

from generator.samples.demo import DEMO_PERIOD, chaiyaphum_setup
from generator.outputs.district_template import write_district_workbook
from generator.outputs.setup_template import write_setup_workbook

FOLDER = Path(__file__).resolve().parents[2] / "input_templates"


def write_examples(folder: Path = FOLDER) -> list[Path]:
    setup = chaiyaphum_setup()
    return [
        write_setup_workbook(folder / "setup_blank.xlsx"),
        write_setup_workbook(folder / "setup_example_chaiyaphum_2566.xlsx", setup),
        write_district_workbook(setup, DEMO_PERIOD, "3601", folder / "district_example_3601_2566-08.xlsx"),
    ]


if __name__ == "__main__":
    for path in write_examples():
        print(path)
