"""The example workbooks in input_templates/ are what the code writes today."""

from openpyxl import load_workbook

from generator.samples.examples import FOLDER, write_examples
from generator.intake.setup_workbook import load_setup


def _shape(path):
    wb = load_workbook(path)
    return [(ws.title, ws.sheet_state, [c.value for c in next(ws.iter_rows(max_row=1))]) for ws in wb]


def test_committed_examples_match_the_code(tmp_path):
    for fresh in write_examples(tmp_path):
        assert _shape(FOLDER / fresh.name) == _shape(fresh), fresh.name


def test_example_setup_loads():
    assert load_setup(FOLDER / "setup_example_chaiyaphum_2566.xlsx").province_name == "ชัยภูมิ"
