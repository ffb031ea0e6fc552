"""Each entity rule on its own: span rules, the project gazetteer, label votes, corrections, merges."""
from __future__ import annotations

from pathlib import Path

import pytest

from annotator import Project
from annotator.model import Mention, Target
from annotator.nlp.alias_match import AliasMatcher, Term, build_terms
from annotator.nlp.label_vote import LabelVotes, apply_votes
from annotator.nlp.linking import EntityLinker
from annotator.nlp.spans import is_dateline, is_title, normalise_mention, normalise_mentions
from annotator.nlp.targets import TargetResolver, default_gazetteer

GAZ = default_gazetteer()


def _m(text: str, surface: str, label: str, nth: int = 0, origin: str = "spacy:test") -> Mention:
    start = -1
    for _ in range(nth + 1):
        start = text.index(surface, start + 1)
    return Mention(start=start, end=start + len(surface), label=label, text=surface, origin=origin,
                   raw_label=label, normal=surface)


def _norm(text: str, surface: str, label: str) -> tuple[str, str] | None:
    out = normalise_mention(text, _m(text, surface, label), GAZ)
    if out is None:
        return None
    assert text[out.start:out.end] == out.text  # offsets stay exact
    return out.text, out.label


# -- span rules -------------------------------------------------------------------------------------

def test_leading_determiner_goes() -> None:
    t = "Talks with the United States and the Eurasian Economic Union."
    assert _norm(t, "the United States", "LOC") == ("United States", "LOC")
    assert _norm(t, "the Eurasian Economic Union", "ORG") == ("Eurasian Economic Union", "ORG")
    assert _norm("The Hague court.", "The Hague", "LOC") == ("Hague", "LOC")  # documented: always off


def test_possessive_ending_goes() -> None:
    assert _norm("Germany's plan.", "Germany's", "LOC") == ("Germany", "LOC")
    assert _norm("Brussels’ reply.", "Brussels’", "LOC") == ("Brussels", "LOC")
    assert _norm("the Kremlin’s view", "the Kremlin’s", "ORG") == ("Kremlin", "ORG")


def test_title_before_a_name_is_cut_and_the_rest_is_a_person() -> None:
    t = "Kazakh President Kassym-Jomart Tokayev spoke."
    assert _norm(t, "Kazakh President Kassym-Jomart Tokayev", "ORG") == ("Kassym-Jomart Tokayev", "PER")
    t = "Secretary of State Antony Blinken left."
    assert _norm(t, "Secretary of State Antony Blinken", "PER") == ("Antony Blinken", "PER")
    t = "Госсекретарь Блинкен прилетел."
    assert _norm(t, "Госсекретарь Блинкен", "PER") == ("Блинкен", "PER")


def test_organisation_words_keep_their_title() -> None:
    t = "the Presidential Administration of Russia"
    assert _norm(t, "Presidential Administration of Russia", "ORG") is not None
    t = "The UN General Assembly voted."
    assert _norm(t, "UN General Assembly", "ORG") == ("UN General Assembly", "ORG")


def test_weak_titles_only_cut_from_persons() -> None:
    t = "General Motors said."
    assert _norm(t, "General Motors", "ORG") == ("General Motors", "ORG")
    t = "General Mark Milley said."
    assert _norm(t, "General Mark Milley", "PER") == ("Mark Milley", "PER")


def test_name_right_after_a_title_is_a_person() -> None:
    t = "President Kassym-Jomart Tokayev said."
    assert _norm(t, "Kassym-Jomart Tokayev", "ORG") == ("Kassym-Jomart Tokayev", "PER")
    t = "President Biden visited Moscow."
    assert _norm(t, "Moscow", "LOC") == ("Moscow", "LOC")  # not after the title


def test_span_ending_in_a_title_keeps_only_what_names_something() -> None:
    t = "US Secreatry Blinken said."  # a typo'd title
    assert is_title("Secreatry") and not is_title("Secret")
    assert _norm(t, "US Secreatry", "ORG") == ("US", "LOC")
    assert _norm("Kazakh President", "Kazakh President", "ORG") == ("Kazakh", "MISC")
    assert _norm("Trade Minister", "Trade Minister", "ORG") is None
    assert _norm("Secretary said", "Secretary", "ORG") is None


def test_demonyms_are_misc() -> None:
    for word, label in (("Kazakh", "PER"), ("Russians", "ORG"), ("Kazakh", "ORG")):
        assert _norm(f"{word} officials", word, label) == (word, "MISC")
    assert _norm("Kazakhstan", "Kazakhstan", "LOC") == ("Kazakhstan", "LOC")


def test_datelines_are_no_mentions() -> None:
    t = "TOKYO, March 3 – Japan said.\n\nАСТАНА, 12 марта. /ТАСС/. Текст."
    assert is_dateline(t, _m(t, "TOKYO", "LOC"))
    assert is_dateline(t, _m(t, "АСТАНА", "LOC"))
    assert not is_dateline(t, _m(t, "Japan", "LOC"))
    assert not is_dateline("NATO said on Monday.", _m("NATO said on Monday.", "NATO", "ORG"))


def test_russian_organisation_and_country_join() -> None:
    t = "Представитель МИД России заявил."
    out = normalise_mentions(t, [_m(t, "МИД", "ORG"), _m(t, "России", "LOC")], GAZ)
    assert [(m.text, m.label) for m in out] == [("МИД России", "ORG")]
    t = "Лидеры России и Китая"
    out = normalise_mentions(t, [_m(t, "России", "LOC"), _m(t, "Китая", "LOC")], GAZ)
    assert len(out) == 2


# -- project gazetteer ------------------------------------------------------------------------------

def test_english_names_found_in_every_sentence() -> None:
    text = "The CSTO met. Later the CSTO's chief and Mr Tokayev spoke. CSTOX is no match."
    matcher = AliasMatcher(build_terms([Target("Kassym-Jomart Tokayev", "PER"), Target("CSTO", "ORG")]))
    found = [(m.text, m.label, m.origin) for m in matcher.find(text, "en")]
    assert found == [("CSTO", "ORG", "gazetteer"), ("CSTO", "ORG", "gazetteer"),
                     ("Tokayev", "PER", "gazetteer")]
    already = [_m(text, "CSTO", "ORG")]
    assert [m.start for m in matcher.find(text, "en", already)] == [text.index("CSTO's"),
                                                                   text.index("Tokayev")]


def test_russian_names_found_in_any_case() -> None:
    text = "Об этом сообщает ТАСС. Представитель Соединённых Штатов встретился с Токаевым в Астане."
    terms = build_terms([Target("ТАСС", "ORG"), Target("United States", "LOC", ["Соединенные Штаты"]),
                         Target("Токаев", "PER"), Target("Астана", "LOC")])
    found = [(m.text, m.label) for m in AliasMatcher(terms).find(text, "ru")]
    assert found == [("ТАСС", "ORG"), ("Соединённых Штатов", "LOC"), ("Токаевым", "PER"),
                     ("Астане", "LOC")]
    assert AliasMatcher([Term("Мир", "ORG")]).find("мир во всем мире", "ru") == []  # case kept


def test_ambiguous_names_are_not_searched() -> None:
    terms = build_terms([Target("Joe Biden", "PER"), Target("Hunter Biden", "PER"),
                         Target("Georgia", "LOC"), Target("Georgia", "PER")])
    surfaces = {t.surface for t in terms}
    assert "Biden" not in surfaces and "Georgia" not in surfaces and "Joe Biden" in surfaces


def test_corrections_are_searched_and_removed_names_are_not() -> None:
    terms = build_terms([Target("Kazakh", "ORG")], corrections={"Kazakh": None, "Akorda": "ORG"})
    assert [(t.surface, t.label) for t in terms] == [("Akorda", "ORG")]


# -- one label per target -----------------------------------------------------------------------------

def test_vote_majority_and_corrections() -> None:
    votes = LabelVotes()
    t = Target("Blinken", "LOC", id=1)
    for label in ("PER", "PER", "LOC"):
        votes.add(1, label)
    assert votes.kind(t) == "PER"
    votes.add(1, "ORG", corrected=True)
    assert votes.kind(t) == "ORG"  # the annotator wins over any number of model votes
    assert votes.kind(Target("Blinken", "LOC", pinned=True, id=1)) == "LOC"
    assert votes.kind(t, fixed=True) == "LOC"  # a gazetteer entry keeps its kind


def test_apply_votes_relabels_and_keeps_raw_label() -> None:
    t = Target("Tokayev", "ORG", id=7)
    ms = [Mention(0, 7, "PER", "Tokayev", "spacy:x", raw_label="PERSON"),
          Mention(10, 17, "PER", "Tokayev", "spacy:x", raw_label="PERSON"),
          Mention(20, 27, "ORG", "Tokayev", "spacy:x", raw_label="ORG")]
    changed = apply_votes(ms, [t, t, t], LabelVotes())
    assert changed == [t] and t.kind == "PER"
    assert [m.label for m in ms] == ["PER"] * 3 and ms[2].raw_label == "ORG"


def test_votes_from_stored_rows() -> None:
    votes = LabelVotes.from_counts([(1, "PER", "GPE", "spacy:x", 3), (1, "PER", "PERSON", "spacy:x", 1),
                                    (1, "PER", None, "gazetteer", 9)])
    assert votes.kind(Target("X", "PER", id=1)) == "LOC"  # the model said GPE three times


# -- the linker: corrections at import ------------------------------------------------------------------

def test_linker_applies_corrections() -> None:
    text = "Kazakh officials met. Akorda said so."
    linker = EntityLinker(TargetResolver(), corrections={"Kazakh": None, "Akorda": "ORG"})
    ids = iter(range(1, 100))

    def save(t: Target) -> None:
        t.id = next(ids)

    out, _ = linker.link(text, "en", [_m(text, "Kazakh", "MISC")], save)
    assert [(m.text, m.label) for m in out] == [("Akorda", "ORG")] and out[0].target_id is not None


# -- merges survive re-import ------------------------------------------------------------------------------

def test_merged_name_stays_an_alias_and_survives_reimport(tmp_path: Path) -> None:
    a = tmp_path / "a.txt"
    a.write_text("Officials in Washington said the United States would act.\n", encoding="utf-8")
    b = tmp_path / "b.txt"
    b.write_text("Washington again said it would act with Astana.\n", encoding="utf-8")
    with Project.open(tmp_path / "p.annot") as p:
        p.import_files([a], lang="en")
        by_name = {t.name: t for t in p.targets()}
        us, wa = by_name["United States"], by_name["Washington"]
        p.merge_targets(us.id, wa.id, "ann")  # type: ignore[arg-type]
        assert "Washington" in p.target(us.id).aliases  # type: ignore[union-attr, arg-type]
        p.import_files([b], lang="en")
        names = [t.name for t in p.targets()]
        assert "Washington" not in names
        aid = next(x.id for x in p.articles() if "Astana" in x.text)
        linked = {m.text: m.target_id for m in p.mentions(aid)}
        assert linked["Washington"] == us.id


# -- corrections that propagate ---------------------------------------------------------------------------

@pytest.fixture
def project(tmp_path: Path):  # type: ignore[no-untyped-def]
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text(
        "Zorvania met Quellam.\n\nZorvania and Quellam agreed. Zorvania signed.\n", encoding="utf-8")
    (tmp_path / "in" / "b.txt").write_text("Far from Zorvania, nothing.\n", encoding="utf-8")
    with Project.open(tmp_path / "p.annot") as p:
        p.import_files([tmp_path / "in"], ner=False, lang="en")
        yield p


def _article(p: Project, word: str) -> str:
    return next(a.id for a in p.articles() if a.text.startswith(word))


def test_add_everywhere_in_article_and_project_is_one_undo_step(project: Project) -> None:
    aid = _article(project, "Zorvania met")
    assert project.add_mention_everywhere(aid, 0, 8, "LOC", "ann", "article") == 3
    assert [m.text for m in project.mentions(aid)] == ["Zorvania"] * 3
    project.undo("ann")
    assert project.mentions(aid) == []
    assert project.add_mention_everywhere(aid, 0, 8, "LOC", "ann", "project") == 4
    assert project.store.entity_corrections() == {"Zorvania": "LOC"}
    project.undo("ann")
    assert project.store.entity_corrections() == {}
    assert all(project.mentions(a.id) == [] for a in project.articles())


def test_relabel_and_remove_everywhere(project: Project) -> None:
    aid = _article(project, "Zorvania met")
    project.add_mention_everywhere(aid, 0, 8, "ORG", "ann", "project")
    target = project.create_target("Zorvania", "ORG", "ann")
    first = project.mentions(aid)[0]
    project.link_mention(int(first.id), target.id, "ann")  # type: ignore[arg-type]
    assert project.relabel_everywhere(int(first.id), "LOC", "ann", "project") == 4  # type: ignore[arg-type]
    assert {m.label for a in project.articles() for m in project.mentions(a.id)} == {"LOC"}
    assert project.target(target.id).kind == "LOC"  # type: ignore[union-attr, arg-type]
    assert project.remove_everywhere(int(first.id), "ann", "article") == 3  # type: ignore[arg-type]
    assert project.mentions(aid) == []
    assert len(project.mentions(_article(project, "Far"))) == 1
    project.undo("ann")
    assert len(project.mentions(aid)) == 3


def test_unmarked_occurrences_are_whole_words(project: Project) -> None:
    aid = _article(project, "Zorvania met")
    assert project.unmarked_occurrences("Zorvan", "project", aid) == []
    assert len(project.unmarked_occurrences("Quellam", "article", aid)) == 2


def test_bracketed_acronym_is_a_second_mention() -> None:
    t = "The World Health Organization (WHO) said."
    out = normalise_mentions(t, [_m(t, "World Health Organization (WHO", "ORG")], GAZ)
    assert [(m.text, m.label) for m in out] == [("World Health Organization", "ORG"), ("WHO", "ORG")]
    out = normalise_mentions(t, [_m(t, "World Health Organization (WHO)", "ORG")], GAZ)
    assert [m.text for m in out] == ["World Health Organization", "WHO"]


def test_name_stops_before_an_amount() -> None:
    t = "fined Apple 1.8 billion euros"
    assert _norm(t, "Apple 1.8 billion", "ORG") == ("Apple", "ORG")
    assert _norm("the Group of 20 met", "Group of 20", "ORG") == ("Group of 20", "ORG")


def test_words_of_a_title_are_no_name() -> None:
    t = "Trade Minister Haruto Sasaki said."
    assert _norm(t, "Trade", "ORG") is None
    t = "Kazakh Foreign Minister Murat Nurtleu said."
    assert _norm(t, "Kazakh Foreign", "ORG") == ("Kazakh", "MISC")
    t = "NATO Secretary-General Mark Rutte said."
    assert _norm(t, "NATO", "ORG") == ("NATO", "ORG")
    t = "Russian Foreign Ministry spokeswoman Maria Zakharova said."
    assert _norm(t, "Russian Foreign Ministry", "ORG") == ("Russian Foreign Ministry", "ORG")


def test_cyrillic_country_is_no_english_demonym() -> None:
    assert not GAZ.is_demonym("Германию") and GAZ.is_demonym("германский") and GAZ.is_demonym("German")


def test_one_edit_agrees_with_levenshtein():
    """The one-pass typo check says what the Levenshtein similarity threshold said (it replaced it)."""
    import random

    from annotator.nlp.spans import _one_edit
    from annotator.nlp.translit import similarity

    rng = random.Random(7)
    for _ in range(20_000):
        a = "".join(rng.choice("abc") for _ in range(rng.randint(1, 7)))
        b = list(a)
        op = rng.randint(0, 3)
        if op == 0:
            b[rng.randrange(len(b))] = rng.choice("abc")
        elif op == 1:
            b.insert(rng.randint(0, len(b)), rng.choice("abc"))
        elif op == 2 and len(b) > 1:
            del b[rng.randrange(len(b))]
        else:
            b = [rng.choice("abc") for _ in range(rng.randint(1, 7))]
        b = "".join(b)
        levenshtein = similarity(a, b) >= 1 - 1 / max(len(a), len(b)) - 1e-9
        assert _one_edit(a, b) == levenshtein, (a, b)
