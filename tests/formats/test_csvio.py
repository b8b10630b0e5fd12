from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from genuine.formats import FormatError, read
from genuine.formats.csvio import read_rows


def rows(path, required=("a",)):
    return list(read_rows(path, list(required)))


def test_line_numbers_follow_quoted_newlines(tmp_path):
    path = tmp_path / "f.csv"
    path.write_text('a,b\n1,"two\nlines"\n3,x\n', encoding="utf-8")
    got = rows(path)
    assert [r.line for r in got] == [2, 4]
    assert got[0].fields["b"] == "two\nlines"


def test_bare_carriage_return_in_unquoted_field_becomes_newline(tmp_path):
    path = tmp_path / "f.csv"
    path.write_bytes(b"a,b\n1,hello \r\rworld\n2,x\n")
    got = rows(path)
    assert got[0].fields["b"] == "hello \n\nworld"
    assert [r.line for r in got] == [2, 3]


def test_crlf_files_and_bom(tmp_path):
    path = tmp_path / "f.csv"
    path.write_bytes("\ufeffa,b\r\n1,2\r\n".encode())
    assert rows(path)[0].fields == {"a": "1", "b": "2"}


def test_duplicate_header_keeps_first(tmp_path):
    path = tmp_path / "f.csv"
    path.write_text("a,label,label\n1,human,other\n", encoding="utf-8")
    assert rows(path)[0].fields["label"] == "human"


@pytest.mark.parametrize(
    ("content", "line", "reason"),
    [
        (b"", None, "empty file"),
        (b"b,c\n1,2\n", 1, "missing required column(s): a"),
        (b"a,b\n1,2\n3\n", 3, "1 fields but the header has 2"),
        (b"a,b\n1,2\n\x00\x01\x02,3\n", None, "binary data"),
        (b"a,b\n1,2\n3,caf\xe9\n", 3, "not UTF-8"),
        (b'a,b\n1,"unterminated\n', 2, "malformed CSV"),
    ],
)
def test_bad_files_name_line_and_reason(tmp_path, content, line, reason):
    path = tmp_path / "f.csv"
    path.write_bytes(content)
    with pytest.raises(FormatError) as info:
        rows(path)
    assert info.value.line == line
    assert reason in info.value.reason
    assert str(path) in str(info.value)


def test_unknown_format_and_platform(tmp_path):
    with pytest.raises(FormatError, match="unknown format 'bogus'"):
        read(tmp_path, "bogus")
    with pytest.raises(FormatError, match="unknown platform 'myspace'"):
        read(tmp_path, "genuine", "myspace")


@pytest.mark.parametrize(
    ("name", "header"),
    [
        ("accounts.csv", b"platform,handle,followers_count,created_at,has_avatar\n"),
        ("follows.csv", b"platform,follower,followee,followed_at\n"),
    ],
)
@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(content=st.binary(max_size=400))
def test_fuzz_any_bytes_give_records_or_a_format_error(tmp_path, name, header, content):
    path = Path(tmp_path) / name
    path.write_bytes(header + content)
    try:
        for record in read(path, "genuine"):
            assert record.kind in ("account", "follow")
            names = ("handle", "follower", "followee")
            handles = [v for k, v in record.values.items() if k in names]
            assert all(h and h == h.strip().lower() and not h.startswith("@") for h in handles)
    except FormatError as exc:
        assert exc.reason
