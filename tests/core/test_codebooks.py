"""Tests for the built-in codebooks, custom codebook validation and frame mapping."""
from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from annotator import resources
from annotator.codebooks import (
    RESERVED_KEYS, Codebook, CodebookError, builtin_codebooks, load_codebook, validate_codebook,
)
from annotator.model import STANCE_VALUES

PFC_ORDER = [
    "Economic", "Capacity and resources", "Morality", "Fairness and equality",
    "Legality, constitutionality and jurisprudence", "Policy prescription and evaluation",
    "Crime and punishment", "Security and defense", "Health and safety", "Quality of life",
    "Cultural identity", "Public opinion", "Political", "External regulation and reputation", "Other",
]
SEMEVAL_LABELS = [
    "Economic", "Capacity_and_resources", "Morality", "Fairness_and_equality",
    "Legality_Constitutionality_and_jurisprudence", "Policy_prescription_and_evaluation",
    "Crime_and_punishment", "Security_and_defense", "Health_and_safety", "Quality_of_life",
    "Cultural_identity", "Public_opinion", "Political", "External_regulation_and_reputation",
]


def minimal() -> dict[str, Any]:
    return {
        "name": "mini",
        "title": "A small custom codebook",
        "version": "0.1",
        "frames": [
            {"id": "economy", "name": "Economy", "definition": "Money matters.", "key": "e"},
            {"id": "war", "name": "War", "definition": "Armed conflict.", "key": "w"},
        ],
        "stance": {"ordered": True, "values": [
            {"value": "AGAINST", "key": "1", "definition": "Opposes."},
            {"value": "NEUTRAL", "key": "2", "definition": "Neither."},
            {"value": "FAVOR", "key": "3", "definition": "Supports."},
        ]},
    }


def write(tmp_path: Path, data: Any, name: str = "my.json") -> Path:
    file = tmp_path / name
    file.write_text(data if isinstance(data, str) else json.dumps(data, indent=2), encoding="utf-8")
    return file


def errors_for(tmp_path: Path, data: Any) -> list[str]:
    with pytest.raises(CodebookError) as info:
        load_codebook(str(write(tmp_path, data)))
    assert str(info.value) == "\n".join(info.value.errors)
    assert all("my.json: " in e for e in info.value.errors)
    return info.value.errors


# --- resources -------------------------------------------------------------------------------------

def test_resources_path_finds_codebooks_and_reports_missing() -> None:
    assert resources.path("codebooks/pfc.json").is_file()
    with pytest.raises(FileNotFoundError, match="nope.json"):
        resources.path("codebooks/nope.json")
    with pytest.raises(ValueError):
        resources.path("../annotator/model.py")


# --- built-ins -------------------------------------------------------------------------------------

def test_builtins_are_listed_and_valid() -> None:
    assert builtin_codebooks() == ["pfc", "semeval2023"]
    for name in builtin_codebooks():
        file = resources.path(f"codebooks/{name}.json")
        assert validate_codebook(json.loads(file.read_text(encoding="utf-8")), file.name) == []
        book = load_codebook(name)
        assert book.name == name
        assert book.source == file
        assert book.multi_label is True
        assert [s.value for s in book.stance] == list(STANCE_VALUES)
        assert [s.key for s in book.stance] == ["1", "2", "3"]


def test_pfc_has_fifteen_frames_in_codebook_order() -> None:
    pfc = load_codebook("pfc")
    assert [f.name for f in pfc.frames] == PFC_ORDER
    assert pfc.frame_ids[:2] == ["economic", "capacity_resources"]
    assert pfc.frame_ids[-1] == "other"


def test_semeval_has_fourteen_labels_and_no_other() -> None:
    sem = load_codebook("semeval2023")
    assert sem.frame_ids == SEMEVAL_LABELS
    assert sem.maps_to == "pfc"


@pytest.mark.parametrize("name", ["pfc", "semeval2023"])
def test_builtin_keys_are_unique_single_and_not_reserved(name: str) -> None:
    keys = [f.key for f in load_codebook(name).frames]
    assert len(set(keys)) == len(keys)
    assert all(len(k) == 1 for k in keys)
    reserved = {k.casefold() for k in RESERVED_KEYS}
    assert not {k.casefold() for k in keys} & reserved


def test_reserved_keys_cover_the_ui_bindings() -> None:
    assert {"j", "k", "n", "p", "i", "u", "0", "1", "2", "3", "Tab", "Space"} <= RESERVED_KEYS


def test_frame_lookup() -> None:
    pfc = load_codebook("pfc")
    assert pfc.frame("economic").key == "e"
    assert pfc.frame_by_key("e") == pfc.frame("economic")
    assert pfc.frame_by_key("E") == pfc.frame("economic")
    assert pfc.frame_by_key("j") is None
    with pytest.raises(KeyError):
        pfc.frame("nope")


# --- custom files ----------------------------------------------------------------------------------

def test_custom_valid_file_loads(tmp_path: Path) -> None:
    file = write(tmp_path, minimal())
    book = load_codebook(str(file))
    assert book.name == "mini"
    assert book.frame_ids == ["economy", "war"]
    assert book.description == ""
    assert book.mapping is None
    assert load_codebook(file) == book  # a Path works too


def test_unknown_name_or_missing_file(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="built-ins: pfc, semeval2023"):
        load_codebook(str(tmp_path / "absent.json"))


def test_duplicate_key_names_both_places(tmp_path: Path) -> None:
    data = minimal()
    data["frames"] += [
        {"id": "health", "name": "Health", "definition": "", "key": "h"},
        {"id": "energy", "name": "Energy", "definition": "", "key": "E"},
    ]
    errors = errors_for(tmp_path, data)
    assert errors == [f"{tmp_path / 'my.json'}: frames[3].key 'e' is used twice (frames[0], frames[3])"]


def test_missing_unknown_and_empty_fields(tmp_path: Path) -> None:
    data = minimal()
    del data["version"]
    data["colour"] = "red"
    del data["frames"][1]["key"]
    data["frames"][1]["note"] = "x"
    data["frames"][0]["name"] = "  "
    errors = "\n".join(errors_for(tmp_path, data))
    assert "my.json: the codebook is missing the field 'version'" in errors
    assert "my.json: colour is not a known field" in errors
    assert "my.json: frames[1] is missing the field 'key'" in errors
    assert "my.json: frames[1].note is not a known field" in errors
    assert "my.json: frames[0].name is empty" in errors


def test_duplicate_ids_and_names(tmp_path: Path) -> None:
    data = minimal()
    data["frames"][1]["id"] = "economy"
    data["frames"][1]["name"] = "economy "
    errors = errors_for(tmp_path, data)
    assert any(e.endswith("frames[1].id 'economy' is used twice (frames[0], frames[1])") for e in errors)
    assert any(e.endswith("frames[1].name 'Economy' is used twice (frames[0], frames[1])") for e in errors)


@pytest.mark.parametrize("key, message", [
    ("j", "frames[1].key 'j' is reserved by the annotation UI"),
    ("2", "frames[1].key '2' is reserved by the annotation UI"),
    ("K", "frames[1].key 'K' is reserved by the annotation UI"),
    ("ww", "frames[1].key 'ww' must be a single character"),
    ("", "frames[1].key '' must be a single character"),
    (" ", "frames[1].key ' ' must be a visible character"),
    (7, "frames[1].key must be a one-character string, not a number"),
])
def test_bad_keys(tmp_path: Path, key: Any, message: str) -> None:
    data = minimal()
    data["frames"][1]["key"] = key
    errors = errors_for(tmp_path, data)
    assert len(errors) == 1
    assert message in errors[0]


def test_bad_ids_and_types(tmp_path: Path) -> None:
    data = minimal()
    data["frames"][0]["id"] = "2nd-frame"
    data["frames"].append("not an object")
    data["multi_label"] = "yes"
    errors = "\n".join(errors_for(tmp_path, data))
    assert "frames[0].id '2nd-frame' must start with a letter" in errors
    assert "frames[2] must be an object, not a string" in errors
    assert "multi_label must be true or false, not a string" in errors


def test_empty_frames_and_non_object(tmp_path: Path) -> None:
    data = minimal()
    data["frames"] = []
    assert any("frames is empty" in e for e in errors_for(tmp_path, data))
    assert errors_for(tmp_path, [1, 2])[0].endswith("the top level must be a JSON object, not a list")


def test_stance_must_be_the_ordered_scale(tmp_path: Path) -> None:
    data = minimal()
    values = data["stance"]["values"]
    values[0], values[2] = values[2], values[0]
    data["stance"]["ordered"] = False
    errors = "\n".join(errors_for(tmp_path, data))
    assert "stance.values must list exactly AGAINST, NEUTRAL, FAVOR in this order" in errors
    assert "(found: FAVOR, NEUTRAL, AGAINST)" in errors
    assert "stance.ordered must be true" in errors
    assert "stance.values[0].key '3' must be '1'" in errors

    data = minimal()
    data["stance"]["values"].append({"value": "MIXED", "key": "4", "definition": ""})
    assert any("found: AGAINST, NEUTRAL, FAVOR, MIXED" in e for e in errors_for(tmp_path, data))


def test_all_errors_are_reported_at_once(tmp_path: Path) -> None:
    data = minimal()
    data["frames"][0]["key"] = "j"
    data["frames"][1]["name"] = ""
    del data["stance"]["values"][1]["definition"]
    assert len(errors_for(tmp_path, data)) == 3


def test_mapping_targets_must_exist(tmp_path: Path) -> None:
    data = minimal()
    data["maps_to"] = "pfc"
    data["mapping"] = {"economy": "economic", "war": "warfare", "ghost": "other"}
    errors = errors_for(tmp_path, data)
    assert sorted(e.split(": ", 1)[1] for e in errors) == [
        "mapping.ghost 'ghost' is not a frame id of this codebook",
        "mapping.war 'warfare' is not a frame id of codebook 'pfc'",
    ]

    data = minimal()
    data["maps_to"] = "frames-from-nowhere"
    data["mapping"] = {}
    assert any("maps_to 'frames-from-nowhere' is not a built-in codebook" in e
               for e in errors_for(tmp_path, data))

    data = minimal()
    data["mapping"] = {"economy": "economic"}
    assert any("mapping needs 'maps_to'" in e for e in errors_for(tmp_path, data))


def test_valid_custom_mapping_to_pfc(tmp_path: Path) -> None:
    data = minimal()
    data["maps_to"] = "pfc"
    data["mapping"] = {"economy": "economic", "war": "security_defense"}
    mini = load_codebook(str(write(tmp_path, data)))
    assert mini.map_to("pfc", ["war", "economy"]) == ["security_defense", "economic"]
    assert load_codebook("pfc").map_to(mini, ["economic", "morality"]) == ["economy"]


def test_malformed_json_names_line_and_column(tmp_path: Path) -> None:
    text = json.dumps(minimal(), indent=2).replace('"War",', '"War"', 1)
    errors = errors_for(tmp_path, text)
    assert len(errors) == 1
    line = next(i for i, row in enumerate(text.splitlines(), 1) if '"War"' in row) + 1
    assert f"my.json: invalid JSON at line {line}, column" in errors[0]


def test_not_utf8(tmp_path: Path) -> None:
    file = tmp_path / "my.json"
    file.write_bytes(b'{"name": "caf\xe9"}')
    with pytest.raises(CodebookError, match="my.json: not UTF-8"):
        load_codebook(str(file))


def test_codebook_error_is_a_value_error() -> None:
    assert issubclass(CodebookError, ValueError)
    assert str(CodebookError(["a", "b"])) == "a\nb"


# --- project storage -------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["pfc", "semeval2023"])
def test_json_round_trip(name: str) -> None:
    book = load_codebook(name)
    text = book.to_json()
    again = Codebook.from_json(text)
    assert again == book
    assert again.source is None
    assert again.to_json() == text
    file_data = json.loads(resources.path(f"codebooks/{name}.json").read_text(encoding="utf-8"))
    assert json.loads(text) == file_data


def test_from_json_validates() -> None:
    data = minimal()
    data["frames"][0]["key"] = "n"
    with pytest.raises(CodebookError, match="<project codebook>: frames\\[0\\].key 'n' is reserved"):
        Codebook.from_json(json.dumps(data))
    with pytest.raises(CodebookError, match="invalid JSON at line 1"):
        Codebook.from_json("{")


# --- mapping ---------------------------------------------------------------------------------------

def test_semeval_maps_one_to_one_onto_pfc() -> None:
    sem, pfc = load_codebook("semeval2023"), load_codebook("pfc")
    assert sem.map_to("pfc", SEMEVAL_LABELS) == pfc.frame_ids[:-1]
    assert sem.map_to("pfc", ["Political", "Economic", "Political"]) == ["political", "economic"]
    assert sem.map_to("pfc", []) == []
    # Names agree on both sides of the mapping.
    for sid in SEMEVAL_LABELS:
        (pid,) = sem.map_to(pfc, [sid])
        assert pfc.frame(pid).name == sem.frame(sid).name


def test_pfc_maps_back_to_semeval_and_other_goes_nowhere() -> None:
    pfc = load_codebook("pfc")
    assert pfc.map_to("semeval2023", ["other"]) == []
    assert pfc.map_to("semeval2023", ["legality", "other", "health_safety"]) == [
        "Legality_Constitutionality_and_jurisprudence", "Health_and_safety"]
    assert pfc.map_to("semeval2023", pfc.frame_ids) == SEMEVAL_LABELS
    assert pfc.map_to("pfc", ["morality"]) == ["morality"]


def test_map_to_rejects_unknown_ids_and_unrelated_codebooks(tmp_path: Path) -> None:
    pfc = load_codebook("pfc")
    with pytest.raises(KeyError):
        pfc.map_to("semeval2023", ["Economic"])  # a semeval id, not a pfc one
    mini = load_codebook(str(write(tmp_path, minimal())))
    with pytest.raises(ValueError, match="no mapping between codebooks 'pfc' and 'mini'"):
        pfc.map_to(mini, ["economic"])


def test_validate_does_not_mutate_input() -> None:
    data = minimal()
    before = copy.deepcopy(data)
    validate_codebook(data, "x.json")
    assert data == before


def test_the_documented_example_is_valid() -> None:
    doc = (Path(__file__).resolve().parents[2] / "docs" / "codebook.md").read_text(encoding="utf-8")
    example = doc.split("```json\n", 1)[1].split("```", 1)[0]
    book = Codebook.from_json(example, "docs/codebook.md")
    assert book.map_to("pfc", book.frame_ids) == ["economic", "security_defense"]
