"""Group codes: given by the tool when a group first appears, the same every month after."""

import pandas as pd

from generator.figures.merge import assign_group_codes
from generator.core.values import name_key


def groups(*rows):
    return pd.DataFrame(rows, columns=["group_code", "village_code", "group_name"])


def test_new_groups_get_the_next_free_number_of_their_village_and_typed_codes_are_kept():
    g = groups((None, "36010101", "กลุ่ม ก"), ("3601010101", "36010101", "กลุ่ม ข"), (None, "36010101", "กลุ่ม ค"))
    coded, fresh = assign_group_codes(g)
    assert list(coded["group_code"]) == ["3601010102", "3601010101", "3601010103"]
    assert sorted(fresh["group_code"]) == ["3601010101", "3601010102", "3601010103"]


def test_a_group_typed_again_without_its_code_gets_its_old_code_back():
    known = pd.DataFrame({"group_code": ["3601010101", "3601010102"], "village_code": ["36010101"] * 2,
                          "name_key": [name_key("กลุ่มออมทรัพย์ บ้านนา"), name_key("กลุ่มเก่า")]})
    # Typed with different spacing and a zero-width space: still the same group.
    g = groups((None, "36010101", " กลุ่มออมทรัพย์\u200bบ้านนา "), (None, "36010101", "กลุ่มใหม่"))
    coded, fresh = assign_group_codes(g, known)
    assert list(coded["group_code"]) == ["3601010101", "3601010103"]  # 02 is taken even if not sent
    assert list(fresh["group_code"]) == ["3601010103"]


def test_codes_do_not_depend_on_how_often_they_are_assigned():
    g = groups((None, "36010101", "ก"), (None, "36010102", "ข"))
    first, fresh = assign_group_codes(g)
    again, none_new = assign_group_codes(g, fresh)
    assert list(first["group_code"]) == list(again["group_code"]) == ["3601010101", "3601010201"]
    assert none_new.empty
