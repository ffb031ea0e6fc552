"""Hostile files: each one is refused or trimmed with an issue naming it, and the good part imports."""
from __future__ import annotations

import gzip
import io
import json
import os
import sqlite3
import struct
import zipfile
from pathlib import Path

import pytest

from annotator.cli import main
from annotator.export import ExportOptions, export
from annotator.export.base import dumps
from annotator.export.options import ExportError
from annotator.ingest import expand_paths
from annotator.ingest.annotations import _tasks
from annotator.ingest.encoding import decode, decode_counted
from annotator.ingest.fields import language_code
from annotator.ingest.jsonsafe import JsonError, loads, too_deep
from annotator.merge import merge_project
from annotator.model import ImportReport
from annotator.project import Project, ProjectError
from annotator.textsafe import visible
from test_ingest import _read  # the readers' output split into articles and issues

GOOD = "A perfectly ordinary article. It talks about the economy of Kazakhstan and of Russia."
GOOD2 = "Another ordinary article. The ministers met in Astana on Tuesday to talk about trade."
RU = "Госсекретарь США Энтони Блинкен встретился с министром иностранных дел Казахстана."


def _import(tmp_path: Path, *paths: Path) -> tuple[Project, ImportReport]:
    p = Project.open(tmp_path / "p.annot")
    return p, p.import_files(list(paths), ner=False)


def _messages(report: ImportReport) -> list[str]:
    return [str(i) for i in report.issues]


def _jsonl(path: Path, *lines: str) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _zip(*names: str) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name in names:
            z.writestr(name, "<xml/>")
    return buf.getvalue()


def _sqlite(tmp_path: Path) -> bytes:
    db = tmp_path / "x.db"
    with sqlite3.connect(db) as con:
        con.execute("CREATE TABLE t (x)")
    con.close()
    data = db.read_bytes()
    db.unlink()
    return data


# -- 1. binary files ------------------------------------------------------------------------------

BINARIES = {
    "png.txt": (b"\x89PNG\r\n\x1a\n" + struct.pack(">I", 13) + b"IHDR" + bytes(range(256)), "a PNG image"),
    "jpeg.txt": (b"\xff\xd8\xff\xe0\x00\x10JFIF" + bytes(200), "a JPEG image"),
    "gif.md": (b"GIF89a\x01\x00\x01\x00" + bytes(50), "a GIF image"),
    "pdf.txt": (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n", "a PDF document"),
    "doc.txt": (_zip("[Content_Types].xml", "word/document.xml"), "a Word document"),
    "sheet.csv": (_zip("[Content_Types].xml", "xl/workbook.xml"), "an Excel workbook"),
    "rows.jsonl": (gzip.compress(json.dumps({"text": GOOD}).encode()), "a gzip archive"),
    "prog.txt": (b"\x7fELF\x02\x01\x01" + bytes(100), "an ELF program"),
    "noise.txt": (bytes(range(256)) * 8, "binary data"),
}


@pytest.mark.parametrize("name", sorted(BINARIES))
def test_binary_files_are_refused_by_name_and_the_rest_imports(tmp_path: Path, name: str) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    data, kind = BINARIES[name]
    (folder / name).write_bytes(data)
    (folder / "good.txt").write_text(GOOD, encoding="utf-8")
    p, report = _import(tmp_path, folder)
    with p:
        assert [a.text for a in p.articles()] == [GOOD]
    assert not report.ok
    [issue] = report.issues
    assert Path(issue.file).name == name and issue.message.startswith(f"looks like {kind}")
    assert issue.message.endswith("not text; skipped")


def test_an_sqlite_file_named_jsonl_is_refused(tmp_path: Path) -> None:
    (tmp_path / "db.jsonl").write_bytes(_sqlite(tmp_path))
    arts, issues = _read(tmp_path / "db.jsonl")
    assert not arts and "an SQLite database" in issues[0].message


def test_utf16_text_is_not_taken_for_binary(tmp_path: Path) -> None:
    """UTF-16 has NUL bytes but is text: with a byte-order mark, and without one."""
    (tmp_path / "bom.txt").write_bytes(b"\xff\xfe" + GOOD.encode("utf-16-le"))
    (tmp_path / "nobom.txt").write_bytes(GOOD2.encode("utf-16-be"))
    arts, issues = _read(tmp_path)
    assert not issues and sorted(a.text for a in arts) == sorted([GOOD, GOOD2])


# -- 2. nesting ------------------------------------------------------------------------------------


def test_json_nested_100k_deep_is_one_line_issue(tmp_path: Path) -> None:
    f = _jsonl(tmp_path / "deep.jsonl", json.dumps({"text": GOOD}),
               '{"text": "x", "meta": ' + "[" * 100_000 + "]" * 100_000 + "}",
               json.dumps({"text": GOOD2}))
    p, report = _import(tmp_path, f)
    with p:
        assert sorted(a.text for a in p.articles()) == sorted([GOOD, GOOD2])
    assert _messages(report) == [f"{f}:2: nested too deep (more than 64 levels of arrays and "
                                 "objects); row skipped"]


def test_a_deep_first_line_does_not_break_the_format_sniffing(tmp_path: Path) -> None:
    f = _jsonl(tmp_path / "deep.jsonl", "[" * 50_000 + "]" * 50_000, json.dumps({"text": GOOD}))
    arts, issues = _read(f)
    assert [a.text for a in arts] == [GOOD] and issues[0].line == 1


def test_depth_check_ignores_brackets_in_strings_and_allows_64_levels() -> None:
    assert not too_deep(json.dumps({"t": "[" * 1000}))
    assert loads("[" * 64 + "]" * 64) is not None
    with pytest.raises(JsonError, match="nested too deep"):
        loads("[" * 65 + "]" * 65)


def test_a_deep_label_studio_task_is_skipped_and_the_next_read() -> None:
    text = ('[\n{"data": {"a": 1}},\n{"data": ' + "[" * 5000 + "]" * 5000 + '},\n'
            '{"data": {"a": NaN}},\n{"data": {"a": 3}}\n]')
    tasks = list(_tasks(text))
    assert [line for line, _ in tasks] == [2, 3, 4, 5]
    assert tasks[0][1] == {"data": {"a": 1}} and tasks[3][1] == {"data": {"a": 3}}
    assert "nested too deep" in str(tasks[1][1]) and "NaN" in str(tasks[2][1])


# -- 3. huge integers -------------------------------------------------------------------------------


def test_a_5000_digit_integer_is_one_line_issue(tmp_path: Path) -> None:
    f = _jsonl(tmp_path / "big.jsonl", '{"text": "%s", "n": %s}' % (GOOD2, "9" * 5000),
               json.dumps({"text": GOOD}))
    p, report = _import(tmp_path, f)
    with p:
        assert [a.text for a in p.articles()] == [GOOD]
    assert _messages(report) == [f"{f}:1: a whole number of 5000 digits is too long; row skipped"]


# -- 4. NaN, Infinity and numbers as metadata --------------------------------------------------------


def test_nan_infinity_and_1e999_are_refused_per_line(tmp_path: Path) -> None:
    f = _jsonl(tmp_path / "nan.jsonl", '{"text": "t1 is here.", "title": NaN}',
               '{"text": "t2 is here.", "title": 1e999}',
               '{"text": "t3 is here.", "meta": {"x": -Infinity}}', json.dumps({"text": GOOD}))
    p, report = _import(tmp_path, f)
    with p:
        assert [a.text for a in p.articles()] == [GOOD]
    assert [(i.line, i.message) for i in report.issues] == [
        (1, "NaN is not a JSON number; row skipped"),
        (2, "the number 1e999 is out of range; row skipped"),
        (3, "-Infinity is not a JSON number; row skipped")]


def test_numbers_as_metadata_whole_numbers_convert_the_rest_is_reported(tmp_path: Path) -> None:
    f = _jsonl(tmp_path / "n.jsonl",
               json.dumps({"text": GOOD, "title": 42, "date": 2024, "id": 7}),
               json.dumps({"text": GOOD2, "title": 3.5, "outlet": ["x"], "lang": True}))
    arts, issues = _read(f)
    assert [(a.title, a.date, a.id) for a in arts] == [("42", "2024", "7"), (None, None, None)]
    assert arts[1].outlet is None and arts[1].lang is None  # the article itself still imports
    assert [(i.line, i.message) for i in issues] == [
        (2, '"title" must be text, not a decimal number; field ignored'),
        (2, '"outlet" must be text, not a list; field ignored'),
        (2, '"lang" must be text, not true/false; field ignored')]


def test_exports_are_strict_json(tmp_path: Path) -> None:
    with pytest.raises(ExportError, match="NaN or Infinity"):
        dumps({"id": "a:1", "x": float("nan")})
    f = _jsonl(tmp_path / "a.jsonl", json.dumps({"text": GOOD, "title": 1, "score": 1.5}))
    p, _ = _import(tmp_path, f)
    with p:
        out = tmp_path / "out.jsonl"
        export(p, out, "articles", ExportOptions(include_unlabelled=True))

    def refuse(name: str) -> None:
        raise AssertionError(f"{name} in an export")
    rows = [json.loads(line, parse_constant=refuse) for line in out.read_text().splitlines()]
    assert rows[0]["title"] == "1" and rows[0]["meta"]["score"] == 1.5


# -- 5. links ----------------------------------------------------------------------------------------


def test_links_out_of_a_folder_are_refused_links_within_read_once(tmp_path: Path) -> None:
    folder, outside = tmp_path / "in", tmp_path / "secret"
    folder.mkdir()
    outside.mkdir()
    (outside / "private.txt").write_text(GOOD2, encoding="utf-8")
    (folder / "real.txt").write_text(GOOD, encoding="utf-8")
    os.symlink(outside / "private.txt", folder / "leak.txt")
    os.symlink("/etc/passwd", folder / "passwd.txt")
    os.symlink(outside, folder / "more")  # a folder link out
    os.symlink(folder / "real.txt", folder / "alias.txt")  # within: the same file once
    os.symlink(folder, folder / "loop")  # within, and a loop: not followed
    os.symlink(tmp_path / "gone.txt", folder / "broken.txt")
    files, issues = expand_paths([folder])
    assert files == [folder / "real.txt"]
    assert sorted((Path(i.file).name, i.message) for i in issues) == [
        ("broken.txt", "a broken link; skipped"),
        ("leak.txt", f"a link to {outside / 'private.txt'}, outside {folder}; skipped"),
        ("more", f"a link to {outside}, outside {folder}; not followed"),
        ("passwd.txt", f"a link to {Path('/etc/passwd').resolve()}, outside {folder}; skipped")]


def test_a_link_named_on_the_command_line_is_the_users_choice(tmp_path: Path) -> None:
    (tmp_path / "elsewhere.txt").write_text(GOOD, encoding="utf-8")
    os.symlink(tmp_path / "elsewhere.txt", tmp_path / "link.txt")
    arts, issues = _read(tmp_path / "link.txt")
    assert [a.text for a in arts] == [GOOD] and not issues


# -- 6. manifest entries that leave the folder ---------------------------------------------------------


def test_manifest_entries_outside_the_folder_are_reported(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(GOOD, encoding="utf-8")
    (tmp_path / "sub").mkdir()
    (tmp_path / "manifest.json").write_text(json.dumps({"articles": [
        {"file": "../../x.txt", "title": "up"}, {"file": "/etc/hostname", "title": "abs"},
        {"file": "sub/b.txt"}, {"file": "a.txt", "title": "A"}]}), encoding="utf-8")
    arts, issues = _read(tmp_path)
    assert [a.title for a in arts] == ["A"]
    manifest = str(tmp_path / "manifest.json")
    assert [(i.file, i.message) for i in issues] == [
        (manifest, 'articles[0]: "../../x.txt" is outside the folder; entry ignored'),
        (manifest, 'articles[1]: "/etc/hostname" is outside the folder; entry ignored'),
        (manifest, 'articles[2]: "sub/b.txt" is in a subfolder; a manifest describes the files '
                   "beside it (put one in the subfolder); entry ignored")]


# -- 7. language codes ----------------------------------------------------------------------------------


@pytest.mark.parametrize("value, code", [
    ("en", "en"), ("EN", "en"), ("pt-BR", "pt"), ("zh_Hant", "zh"), ("und", "und"),
    ("<script>", None), ("\x1b[31mxx", None), ("english", None), ("e", None), ("en-", None),
    ("", None)])
def test_language_code(value: str, code: str | None) -> None:
    assert language_code(value) == code


def test_lang_fields_are_checked_in_jsonl_csv_and_manifest(tmp_path: Path) -> None:
    (tmp_path / "a.jsonl").write_text(json.dumps({"text": GOOD, "lang": "\x1b[2Jxx"}) + "\n"
                                      + json.dumps({"text": GOOD2, "lang": "pt-BR"}) + "\n")
    (tmp_path / "b.csv").write_text(f"text,lang\n{RU},ru;DROP\n", encoding="utf-8")
    (tmp_path / "c.txt").write_text(GOOD + " Third.", encoding="utf-8")
    (tmp_path / "manifest.json").write_text(json.dumps([{"file": "c.txt", "lang": "en us"}]))
    p, report = _import(tmp_path, tmp_path)
    with p:
        langs = {a.text[:20]: (a.lang, a.meta.get("lang_tag")) for a in p.articles()}
    assert langs == {GOOD[:20]: ("en", None), GOOD2[:20]: ("pt", "pt-BR"), RU[:20]: ("ru", None)}
    assert len(langs) == 3 and report.articles_added == 4  # c.txt shares GOOD's first 20 chars
    assert sorted(i.message for i in report.issues) == [
        "\"lang\" '\\x1b[2Jxx' is not a language code; detected instead",
        "\"lang\" 'ru;DROP' is not a language code; detected instead",
        "articles[0] (\"c.txt\"): \"lang\" 'en us' is not a language code; detected instead"]


def test_lang_of_a_merged_project_file_is_checked(tmp_path: Path) -> None:
    other_path = tmp_path / "other.annot"
    with Project.open(other_path) as other:
        other.import_files([_jsonl(tmp_path / "a.jsonl", json.dumps({"text": GOOD}))], ner=False)
    with sqlite3.connect(other_path) as con:  # a hostile or old file: lang never checked
        con.execute("UPDATE articles SET lang = '<b>x'")
        con.execute("UPDATE sentences SET lang = '<b>x'")
    con.close()
    with Project.open(tmp_path / "p.annot") as p:
        report = merge_project(p, other_path, add_articles=True)
        [article] = p.articles()
        assert article.lang == "en"
        assert {s.lang for s in p.store.sentences(article.id, with_mentions=False)} == {"en"}
    assert any("'<b>x' is not a language code" in i for i in report.issues)


def test_a_bad_lang_option_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = _jsonl(tmp_path / "a.jsonl", json.dumps({"text": GOOD}))
    with pytest.raises(SystemExit) as exit_:
        main(["import", str(tmp_path / "p.annot"), str(f), "--lang", "en;rm", "--no-ner"])
    assert exit_.value.code == 2 and "not a language code" in capsys.readouterr().err
    with Project.open(tmp_path / "q.annot") as p, pytest.raises(ProjectError):
        p.import_files([f], ner=False, lang="\x1b")


# -- 8. what the command line prints ------------------------------------------------------------------


EVIL_TITLE = "\x1b]0;pwned\x07\x1b[2J\r\u202eevil\x9b"


def test_stats_targets_and_issues_print_control_characters_visibly(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    f = _jsonl(tmp_path / "t\x1b[1m.jsonl", json.dumps({"text": GOOD, "title": EVIL_TITLE,
                                                         "outlet": "O\u2066ut"}), "{bad")
    project = str(tmp_path / "p.annot")
    assert main(["import", project, str(f), "--no-ner", "--quiet"]) == 1  # one bad line
    _, err = capsys.readouterr()
    assert "t\\x1b[1m.jsonl:2: not valid JSON" in err and "\x1b" not in err
    assert main(["stats", project]) == 0
    out, _ = capsys.readouterr()
    assert "\\x1b]0;pwned\\x07\\x1b[2J\\x0d\\u202eevil\\x9b" in out and "O\\u2066ut" in out
    assert not any(ch in out for ch in "\x1b\x07\r\u202e\u2066\x9b")
    assert main(["stats", project, "--json"]) == 0
    out, _ = capsys.readouterr()
    assert json.loads(out)["articles_list"][0]["title"] == EVIL_TITLE  # JSON stays exact


def test_export_summary_prints_paths_visibly(tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    f = _jsonl(tmp_path / "a.jsonl", json.dumps({"text": GOOD}))
    project = str(tmp_path / "p.annot")
    assert main(["import", project, str(f), "--no-ner", "--quiet"]) == 0
    out_file = tmp_path / "out\x1b[31m.jsonl"
    assert main(["export", project, str(out_file), "--include-unlabelled", "--quiet"]) == 0
    out, _ = capsys.readouterr()
    assert "out\\x1b[31m.jsonl" in out and "\x1b" not in out


def test_visible() -> None:
    assert visible("plain Ünïcode — 中文, русский\ttab") == "plain Ünïcode — 中文, русский\ttab"
    assert visible("a\x1b[31mb\rc\x00d\x7fe\x85f") == "a\\x1b[31mb\\x0dc\\x00d\\x7fe\\x85f"
    assert visible("line\nnext") == "line\\x0anext"
    assert visible("line\nnext", keep="\n") == "line\nnext"
    assert visible("tab\there", keep="") == "tab\\x09here"
    bidi = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
    assert visible(bidi) == "".join(f"\\u{ord(c):04x}" for c in bidi)
    assert visible("\u2028") == "\\u2028"


# -- 9. encodings that mislead --------------------------------------------------------------------------


def test_cp1251_text_starting_with_ya_yu_is_not_read_as_utf16() -> None:
    text = "яю " + RU  # cp1251 "яю" is the UTF-16 little-endian byte-order mark
    data = text.encode("cp1251")
    data += b"." if len(data) % 2 else b""  # an even length decodes as UTF-16 without error
    assert decode(data) == (text + ("." if data.endswith(b".") else ""), "cp1251")
    assert decode("юя ".encode("cp1251") + RU.encode("cp1251"))[1] == "cp1251"  # big-endian mark


def test_utf8_with_a_few_bad_bytes_stays_utf8_and_is_reported(tmp_path: Path) -> None:
    data = RU.encode("utf-8") + b" \xff " + RU.encode("utf-8")
    text, encoding, replaced = decode_counted(data)
    assert (encoding, replaced) == ("utf-8", 1) and text == f"{RU} \ufffd {RU}"
    (tmp_path / "a.txt").write_bytes(data)
    arts, issues = _read(tmp_path / "a.txt")
    assert arts[0].text == text
    assert [i.message for i in issues] == [
        "1 byte not valid utf-8, replaced by U+FFFD (the rest of the file was read)"]


def test_a_truncated_utf16_file_keeps_its_text() -> None:
    data = b"\xff\xfe" + RU.encode("utf-16-le") + b"\x41"  # half a code unit at the end
    assert decode_counted(data) == (RU + "\ufffd", "utf-16-bom", 1)
