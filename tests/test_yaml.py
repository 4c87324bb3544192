"""YAML safety: tabs, anchors, duplicate keys, tags, encodings — issues with lines."""

from __future__ import annotations

import pytest

from cchc_cli.criteria import parse_criteria
from cchc_cli.settings import Settings
from cchc_cli.yamlio import YamlNumber, load_yaml
from tests.conftest import MINIMAL_CRITERIA

FILE = "criteria/2023/so-nganh.yaml"


def codes(issues):
    return [(i.code, i.line) for i in issues]


def test_numbers_keep_their_text_and_are_exact():
    data, issues = load_yaml("a: 1.10\nb: 0.1\nc: '1.10'\nd: 1_000\n", file=FILE)
    assert issues == []
    assert isinstance(data["a"], YamlNumber) and data["a"].raw == "1.10"
    assert str(data["b"] * 3) == "0.3"  # exact, not 0.30000000000000004
    assert data["c"] == "1.10"
    assert data["d"] == 1000
    assert data.key_lines == {"a": 1, "b": 2, "c": 3, "d": 4}


def test_tab_indentation_is_named():
    text = "id: x\nitems:\n\t- code: '1'\n"
    _, issues = load_yaml(text, file=FILE)
    assert codes(issues) == [("yaml-tab", 3)]
    assert "Tab" in issues[0].message


def test_anchors_and_aliases_are_refused():
    text = "a: &x 1\nb: *x\n"
    data, issues = load_yaml(text, file=FILE)
    assert data is None
    assert codes(issues) == [("yaml-neo", 1)]


def test_billion_laughs_is_refused_before_expansion():
    lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 10):
        refs = ",".join(f"*a{i - 1}" for _ in range(9))
        lines.append(f"a{i}: &a{i} [{refs}]")
    data, issues = load_yaml("\n".join(lines) + "\n", file=FILE)
    assert data is None
    assert codes(issues) == [("yaml-neo", 1)]


def test_duplicate_keys_are_reported_not_overwritten():
    text = "id: a\ntitle: b\nid: c\n"
    data, issues = load_yaml(text, file=FILE)
    assert codes(issues) == [("yaml-khoa-trung", 3)]
    assert "dòng 1" in issues[0].message
    assert data["id"] == "a"


@pytest.mark.parametrize(
    "text",
    [
        "a: !!python/object/apply:os.system ['echo pwned']\n",
        "a: !!python/name:os.system\n",
        "a: !custom 1\n",
    ],
)
def test_foreign_tags_are_refused(text):
    _, issues = load_yaml(text, file=FILE)
    assert [i.code for i in issues] == ["yaml-the"]
    assert issues[0].line == 1


def test_non_utf8_bytes_name_the_line():
    data = b"id: a\ntitle: B\xf4 ti\xeau ch\xed\n"  # latin-1, as an old editor saves
    _, issues = load_yaml(data, file=FILE)
    assert [i.code for i in issues] == ["yaml-khong-phai-utf8"]
    assert issues[0].line == 2


def test_utf8_bom_is_accepted():
    data, issues = load_yaml("\ufeffid: a\n".encode(), file=FILE)
    assert issues == [] and data == {"id": "a"}


def test_syntax_error_names_the_line():
    _, issues = load_yaml("a: [1, 2\nb: 3\n", file=FILE)
    assert [i.code for i in issues] == ["yaml-cu-phap"]
    assert issues[0].line is not None


def test_several_documents_are_refused():
    _, issues = load_yaml("a: 1\n---\nb: 2\n", file=FILE)
    assert [i.code for i in issues] == ["yaml-nhieu-tai-lieu"]


def test_nfd_text_is_normalised():
    nfd = "Ca\u0309i ca\u0301ch"  # "Cải cách" in decomposed form
    data, _ = load_yaml(f"name: {nfd}\n", file=FILE)
    assert data["name"] == "Cải cách"


def test_criteria_file_that_is_a_list_is_an_error():
    criteria, issues = parse_criteria("- a\n- b\n", settings=Settings(), file=FILE)
    assert criteria is None
    assert [i.code for i in issues] == ["yaml-khong-phai-anh-xa"]


def test_criteria_with_aliases_reports_and_stops():
    text = MINIMAL_CRITERIA.replace("max: 3\n", "max: &m 3\n")
    criteria, issues = parse_criteria(text, settings=Settings(), file=FILE)
    assert criteria is None
    assert [i.code for i in issues] == ["yaml-neo"]
