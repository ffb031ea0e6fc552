"""Readers and decoding: encodings, manifest, JSONL/CSV rows, bad rows reported by file and line."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from annotator.ingest import RawArticle, article_id, expand_paths, read_paths
from annotator.ingest.encoding import decode, normalise_text
from annotator.model import ImportIssue

RU = "Госсекретарь США Энтони Блинкен встретился с министром иностранных дел Казахстана."
FR = "Le ministre a visité Astana. Les négociations ont été très productives, a-t-il déclaré."


@pytest.mark.parametrize(
    "data, encoding",
    [
        (RU.encode("utf-8"), "utf-8"),
        (b"\xef\xbb\xbf" + RU.encode("utf-8"), "utf-8-bom"),
        (b"\xff\xfe" + RU.encode("utf-16-le"), "utf-16-bom"),
        (b"\xfe\xff" + RU.encode("utf-16-be"), "utf-16-bom"),
        (RU.encode("cp1251"), "cp1251"),
        (RU.encode("koi8-r"), "koi8-r"),
        (FR.encode("cp1252"), "cp1252"),
    ],
)
def test_decode_gives_the_right_text(data: bytes, encoding: str) -> None:
    text, found = decode(data)
    assert found == encoding
    assert text in (RU, FR)


def test_cp1251_short_and_mixed_text_is_not_mojibake() -> None:
    text = "В Астане прошли переговоры (C5+1), — сообщает KazTAG. Цена: 100 €."
    decoded, enc = decode(text.encode("cp1251"))
    assert enc == "cp1251" and decoded == text


def test_normalise_and_hash_are_stable() -> None:
    a = "Title\r\n\r\nBody text.  \n"
    b = "\ufeffTitle\n\nBody text."
    assert normalise_text(a).replace("  ", "") == normalise_text(b)
    assert article_id("Title\r\n\r\nBody") == article_id("Title\n\nBody\n")
    assert len(article_id("x")) == 16


def _read(*paths: Path) -> tuple[list[RawArticle], list[ImportIssue]]:
    files, issues = expand_paths(paths)
    arts: list[RawArticle] = []
    for item in read_paths(files):
        (issues if isinstance(item, ImportIssue) else arts).append(item)  # type: ignore[arg-type]
    return arts, issues


def test_text_folder_with_manifest(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("Headline\n\nBody one.", encoding="utf-8")
    (tmp_path / "b.txt").write_bytes(RU.encode("cp1251"))
    (tmp_path / "manifest.json").write_text(json.dumps({"articles": [
        {"file": "a.txt", "outlet": "TASS", "date": "2022-05-21", "lang": "en", "byline": "X"},
    ]}))
    arts, issues = _read(tmp_path)
    assert not issues
    assert [Path(a.source).name for a in arts] == ["a.txt", "b.txt"]
    a, b = arts
    assert (a.outlet, a.date, a.lang, a.meta["byline"]) == ("TASS", "2022-05-21", "en", "X")
    assert b.text == RU and b.meta["encoding"] == "cp1251" and b.outlet is None


def test_bad_manifest_is_reported_and_files_still_read(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("Headline\n\nBody.")
    (tmp_path / "manifest.json").write_text('{"articles": [\n  {"file": "a.txt",}\n]}')
    arts, issues = _read(tmp_path)
    assert len(arts) == 1
    assert len(issues) == 1 and issues[0].line == 2 and "manifest" in issues[0].message


def test_jsonl_bad_rows_name_file_and_line(tmp_path: Path) -> None:
    f = tmp_path / "in.jsonl"
    f.write_text("\n".join([
        json.dumps({"text": "First article text.", "title": "One", "outlet": "A", "extra": 1}),
        "{not json",
        json.dumps({"title": "no text"}),
        "",
        json.dumps(["a list"]),
        json.dumps({"text": "Second article.", "id": 7, "lang": "en"}),
    ]), encoding="utf-8")
    arts, issues = _read(f)
    assert [a.title for a in arts] == ["One", None]
    assert arts[0].meta == {"extra": 1} and arts[1].id == "7"
    assert [(Path(i.file).name, i.line) for i in issues] == [("in.jsonl", 2), ("in.jsonl", 3),
                                                            ("in.jsonl", 5)]
    assert str(issues[0]).startswith(str(f) + ":2: not valid JSON")


def test_csv_rows_with_quoted_newlines_and_bad_rows(tmp_path: Path) -> None:
    f = tmp_path / "in.csv"
    f.write_bytes(
        ('title,text,outlet\n"T1","Line one.\n\nLine two.",A\nT2,,B\nT3,"Third, with comma.",C,extra\n'
         "T4,Четвёртая статья.,D\n").encode("cp1251")
    )
    arts, issues = _read(f)
    assert [a.title for a in arts] == ["T1", "T4"]
    assert arts[0].text == "Line one.\n\nLine two." and arts[1].text == "Четвёртая статья."
    assert [i.line for i in issues] == [5, 6]


def test_csv_without_text_column(tmp_path: Path) -> None:
    f = tmp_path / "x.csv"
    f.write_text("title,body\na,b\n")
    arts, issues = _read(f)
    assert not arts and issues[0].line == 1 and '"text"' in issues[0].message


def test_unknown_and_missing_paths_are_issues(tmp_path: Path) -> None:
    (tmp_path / "x.pdf").write_bytes(b"%PDF")
    arts, issues = _read(tmp_path / "x.pdf", tmp_path / "nope.txt")
    assert not arts
    assert "no reader" in issues[0].message and "no such file" in issues[1].message


def test_empty_text_file_is_an_issue(tmp_path: Path) -> None:
    (tmp_path / "e.txt").write_text("  \n\n")
    arts, issues = _read(tmp_path)
    assert not arts and issues[0].message == "file is empty"


@pytest.mark.parametrize("data", [
    b"\xff\xfeabc",  # a UTF-16 mark, then an odd number of bytes
    b"\xff\xfe\x00\x00\x01",  # a UTF-32 mark, then a partial code unit
    b"\xef\xbb\xbf" + RU.encode("cp1251"),  # a UTF-8 mark on cp1251 text
])
def test_a_byte_order_mark_that_lies_does_not_fail_the_import(tmp_path: Path, data: bytes) -> None:
    text, _ = decode(data)
    assert isinstance(text, str)
    f = tmp_path / "odd.txt"
    f.write_bytes(data + b" more text")
    arts, issues = _read(f)
    if b"\x00" in data:  # NUL bytes that are not UTF-16/32: binary, reported (not a crash)
        assert not arts and "not text" in issues[0].message
        return
    assert len(arts) == 1 and not issues
    if data.startswith(b"\xef\xbb\xbf"):
        assert decode(data) == (RU, "cp1251")


def test_files_in_hidden_folders_are_skipped(tmp_path: Path) -> None:
    # e.g. .ipynb_checkpoints/ or .git/ inside a corpus folder: copies, not articles
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "a.txt").write_text("Visible\n\nBody.", encoding="utf-8")
    (tmp_path / ".ipynb_checkpoints").mkdir()
    (tmp_path / ".ipynb_checkpoints" / "a-checkpoint.txt").write_text("Copy\n\nBody.")
    (tmp_path / ".hidden.txt").write_text("Hidden\n\nBody.")
    files, issues = expand_paths([tmp_path])
    assert [f.name for f in files] == ["a.txt"] and not issues
    # A folder given by name is read even when it (or a parent) is hidden.
    files, _ = expand_paths([tmp_path / ".ipynb_checkpoints"])
    assert [f.name for f in files] == ["a-checkpoint.txt"]


def test_manifest_problems_are_reported_once_per_folder(tmp_path: Path) -> None:
    for i in range(3):
        (tmp_path / f"a{i}.txt").write_text(f"Headline {i}\n\nBody {i}.")
    (tmp_path / "manifest.json").write_text('{"articles": [')
    arts, issues = _read(tmp_path)
    assert len(arts) == 3 and len(issues) == 1 and "not valid JSON" in issues[0].message


def test_manifest_entry_without_its_file_is_reported(tmp_path: Path) -> None:
    (tmp_path / "present.txt").write_text("Headline\n\nBody.")
    (tmp_path / "other.txt").write_text("Other\n\nBody.")
    (tmp_path / "manifest.json").write_text(json.dumps({"articles": [
        {"file": "present.txt", "outlet": "TASS"}, {"file": "presnet.txt", "outlet": "RIA"},
    ]}))
    arts, issues = _read(tmp_path)
    assert [a.outlet for a in arts] == [None, "TASS"]  # other.txt, present.txt
    assert len(issues) == 1 and '"presnet.txt" is listed' in issues[0].message
    assert Path(issues[0].file).name == "manifest.json"
    # Importing one file of the folder does not check the other entries.
    arts, issues = _read(tmp_path / "present.txt")
    assert arts[0].outlet == "TASS" and not issues


def test_csv_with_semicolons_and_a_bom(tmp_path: Path) -> None:
    # What Excel writes in locales with a decimal comma.
    f = tmp_path / "excel.csv"
    f.write_bytes(b"\xef\xbb\xbf" + "title;text;outlet\nT1;\"Kazakhstan, Russia; talks.\";TASS\n"
                  .encode("utf-8"))
    arts, issues = _read(f)
    assert not issues
    assert [(a.title, a.text, a.outlet) for a in arts] == [("T1", "Kazakhstan, Russia; talks.",
                                                            "TASS")]
