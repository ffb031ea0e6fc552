"""Synthetic news text for the benchmarks: English and Russian sentences with named entities, seeded."""
from __future__ import annotations

import random
from dataclasses import dataclass, field

#: Bump when the generated text changes, so cached projects are rebuilt.
CORPUS_VERSION = 1

# Function words repeat, as in news prose; the rest gives langdetect and spaCy real words.
EN_WORDS = (
    "the the the the of of of to to and and in in a a on for that with said was is by as at from "
    "has have will would after over new its their government minister officials talks economy "
    "sanctions trade agreed visit policy support border energy security reported president "
    "foreign defence military election parliament vote law court ministry spokesman statement "
    "week year month today yesterday last next first second meeting summit leaders countries "
    "region capital city people forces troops ceasefire aid prices inflation growth market "
    "market bank budget deal plan proposal reform crisis conflict peace war pressure response "
    "announced warned called urged denied confirmed rejected signed approved launched held "
    "expected major key senior former national international public political economic "
    "strategic regional local official joint further strong clear serious recent possible "
    "because while although despite during between against about under since before"
).split()
RU_WORDS = (
    "в в в и и и на на не что с с по по о к из за от для как это его их также уже после "
    "правительство министр переговоры экономика санкции торговля визит политика поддержка "
    "граница энергетика безопасность президент заявил сообщил встреча саммит страны регион "
    "столица город люди войска перемирие помощь цены рост рынок банк бюджет сделка план "
    "реформа кризис конфликт мир давление ответ объявил предупредил призвал отверг подписал "
    "одобрил провёл ожидается главный старший бывший национальный международный политический "
    "экономический официальный совместный неделя год месяц сегодня вчера закон суд парламент"
).split()

EN_FIRST = ("Antony John Maria Olaf Emmanuel Ursula Jens Kamala Rishi Giorgia Viktor Pedro Mark "
            "Annalena Keir Joe Donald Xi Narendra Recep").split()
EN_LAST = ("Blinken Smith Zakharova Scholz Macron Leyen Stoltenberg Harris Sunak Meloni Orban "
           "Sanchez Rutte Baerbock Starmer Biden Trump Jinping Modi Erdogan Kellogg Austin Sullivan "
           "Borrell Michel Guterres Lagarde Yellen Raimondo Kerry").split()
RU_FIRST = "Сергей Мария Владимир Дмитрий Антон Алексей Юрий Наталья Михаил Игорь".split()
RU_LAST = ("Лавров Захарова Песков Медведев Шойгу Матвиенко Володин Набиуллина Мишустин Силуанов "
           "Рябков Небензя Ушаков Грушко Галузин").split()
PLACES = (("Ukraine", "Украина"), ("Russia", "Россия"), ("France", "Франция"),
          ("Germany", "Германия"), ("China", "Китай"), ("Poland", "Польша"),
          ("Turkey", "Турция"), ("Washington", "Вашингтон"), ("Moscow", "Москва"),
          ("Kyiv", "Киев"), ("Brussels", "Брюссель"), ("Beijing", "Пекин"),
          ("India", "Индия"), ("Japan", "Япония"), ("Iran", "Иран"), ("Israel", "Израиль"),
          ("Georgia", "Грузия"), ("Armenia", "Армения"), ("Finland", "Финляндия"),
          ("Sweden", "Швеция"))
ORGS = (("NATO", "НАТО"), ("the European Union", "Евросоюз"), ("the United Nations", "ООН"),
        ("the IMF", "МВФ"), ("the World Bank", "Всемирный банк"), ("Gazprom", "Газпром"),
        ("the Kremlin", "Кремль"), ("the OSCE", "ОБСЕ"), ("the G7", "G7"),
        ("the State Department", "Госдеп"))
OUTLETS = ("Reuters", "AP", "BBC", "The Guardian", "TASS", "RIA Novosti", "Meduza", "DW")


@dataclass
class Entity:
    """A canonical target and how it is written in each language."""

    id: int
    name: str
    kind: str
    surface: dict[str, str] = field(default_factory=dict)


def entities() -> list[Entity]:
    """~300 targets: people (English and Russian names), places and organisations."""
    out: list[Entity] = []

    def add(name: str, kind: str, en: str, ru: str) -> None:
        out.append(Entity(len(out) + 1, name, kind, {"en": en, "ru": ru}))

    for last in EN_LAST:
        for first in EN_FIRST[:7]:
            full = f"{first} {last}"
            add(full, "PER", full, full)  # Latin names stay Latin in Russian text too
    for last in RU_LAST:
        for first in RU_FIRST[:4]:
            add(f"{first} {last}", "PER", f"{first} {last}", f"{first} {last}")
    for en, ru in PLACES:
        add(en, "LOC", en, ru)
    for en, ru in ORGS:
        add(en.removeprefix("the "), "ORG", en, ru)
    return out


@dataclass
class GenSentence:
    text: str
    mentions: list[tuple[int, int, int]]  # (start, end, entity id), offsets into the sentence


class TextMaker:
    """Sentences of 15–30 words with about one entity each; deterministic for a seed."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.entities = entities()
        self.words = {"en": EN_WORDS, "ru": RU_WORDS}

    def sentence(self, lang: str, n_entities: int | None = None) -> GenSentence:
        rng = self.rng
        words = rng.choices(self.words[lang], k=rng.randint(15, 30))
        k = rng.choice((0, 1, 1, 1, 2)) if n_entities is None else n_entities
        places = sorted(rng.sample(range(len(words)), k)) if k else []
        picked = [rng.choice(self.entities) for _ in places]
        for pos, ent in zip(places, picked):
            words[pos] = ent.surface[lang]
        words[0] = words[0][:1].upper() + words[0][1:]
        text = " ".join(words) + "."
        mentions = []
        for pos, ent in zip(places, picked):
            start = len(" ".join(words[:pos])) + (1 if pos else 0)
            mentions.append((start, start + len(ent.surface[lang]), ent.id))
        return GenSentence(text, mentions)

    def article(self, lang: str, n_sentences: int, n_entities: int | None = None
                ) -> tuple[str, list[tuple[int, int, GenSentence]]]:
        """Paragraphs of 2–5 sentences; returns the text and (start, end, sentence) spans.

        With ``n_entities`` set, that many sentences (spread over the article) have one entity
        each and the others none.
        """
        rng = self.rng
        with_entity: set[int] | None = None
        if n_entities is not None:
            with_entity = set(rng.sample(range(n_sentences), min(n_entities, n_sentences)))
        parts: list[str] = []
        spans: list[tuple[int, int, GenSentence]] = []
        pos = 0
        left_in_paragraph = rng.randint(2, 5)
        for i in range(n_sentences):
            s = self.sentence(lang, None if with_entity is None else int(i in with_entity))
            if parts:
                sep = " " if left_in_paragraph else "\n\n"
                if not left_in_paragraph:
                    left_in_paragraph = rng.randint(2, 5)
                parts.append(sep)
                pos += len(sep)
            spans.append((pos, pos + len(s.text), s))
            parts.append(s.text)
            pos += len(s.text)
            left_in_paragraph -= 1
        return "".join(parts), spans

    def title(self, lang: str) -> str:
        words = self.rng.choices(self.words[lang], k=self.rng.randint(6, 11))
        return " ".join(words).capitalize()

    def lang(self, russian_share: float = 0.15) -> str:
        return "ru" if self.rng.random() < russian_share else "en"
