"""Scraper boilerplate (comment prompts, share buttons, cookie notices, wire slugs) and the title line."""
from __future__ import annotations

import re

#: Lines longer than this are prose, never boilerplate, except the long notices in ``_NOTICES``.
MAX_LINE_CHARS = 80

#: Whole-line patterns (matched case-insensitively against the whole line, after trimming spaces and
#: trailing punctuation/arrows). Each is a widget or navigation label a scraper picks up with the text.
LINE_PATTERNS: tuple[str, ...] = (
    # comments
    r"leave a (comment|reply)( cancel reply)?",
    r"(post|add|write|submit) a comment",
    r"(\d+ )?comments?( \(\d+\))?",
    r"no comments( yet)?",
    r"(view|show|hide|load) (all )?comments( \(\d+\))?",
    r"cancel reply",
    # navigation
    r"back to top( button)?",
    r"(scroll|go|jump) to top",
    r"skip to (main )?content",
    r"(previous|next) (article|post|story)",
    r"(home|menu|search|login|log in|sign in|register|close)",
    r"all (news|articles|stories|posts)",
    r"(latest|top|breaking|more|other) (news|stories|headlines)",
    r"(related|recommended|popular|trending|similar) (articles|posts|news|stories|content|topics|reading)",
    r"(recommended|trending|popular)( for you| now)?",
    r"you (may|might) (also )?(like|be interested in)",
    r"(most (read|popular|viewed))( (today|this week))?",
    r"editor'?s'? picks?",
    r"more (news |stories )?from( \S+){1,3}",
    # reading prompts
    r"read (more|also|next|the full (article|story))([\s:—–-].{0,40})?",
    r"see (more|also)([\s:—–-].{0,40})?",
    r"continue reading( [\w .:-]{0,40})?",
    r"(show|load|view) more",
    r"click here( [\w .:-]{0,60})?",
    # sharing
    r"share( this( article| story| post| page)?)?( on [\w ]{1,20})?",
    r"(share|follow us|find us|join us)( on| at)? (facebook|twitter|x|telegram|whatsapp|linkedin|instagram|youtube|vk)"
    r"([, ]+(and )?(facebook|twitter|x|telegram|whatsapp|linkedin|instagram|youtube|vk))*",
    r"(facebook|twitter|telegram|whatsapp|linkedin|instagram|youtube|pinterest|reddit|email|e-mail|print|tweet"
    r"|copy link|vk)",
    r"follow us( on [\w ,]{1,40})?",
    # subscriptions and ads
    r"subscribe(\b[\w ,'’!-]{0,60})?",
    r"sign up (for|to) (our|the) (free )?newsletters?[\w ,'’!-]{0,40}",
    r"(our |free )?newsletters?",
    r"download (our|the) app",
    r"(advertisement|advertising|sponsored( content)?|promoted|ad)",
    # cookies and legal
    r"(accept|reject|allow)( all)? cookies",
    r"(accept|reject) all",
    r"cookie (policy|settings|preferences|notice)",
    r"(privacy policy|terms of (use|service)|terms and conditions|contact us|about us)",
    r"(©|\(c\)).{0,70}",
    r"copyright\s*(©|\(c\))?\s*\d{4}.{0,60}",
    r"all rights reserved.{0,40}",
    r"(tags|filed under|posted in|categories|category|topics)\s*:.{0,70}",
    r"(photo|image|picture|video|source|credit)s?\s*:.{0,60}",
    # Russian
    r"читайте (также|тоже|еще|ещё)([\s:—–-].{0,60})?",
    r"(смотрите|см\.) также([\s:—–-].{0,40})?",
    r"поделиться( в .{0,30})?",
    r"(подписывайтесь|подпишитесь).{0,70}",
    r"подписаться( на (рассылку|новости|канал|наш|нас).{0,50})?",
    r"(все|другие|последние|главные|лента) новост(и|ей)( .{0,30})?",
    r"новости по теме",
    r"(похожие|связанные|популярные) (новости|статьи|материалы|публикации)",
    r"(реклама|на правах рекламы)",
    r"(\d+ )?комментари(й|и|ев|я)( \(\d+\))?",
    r"(оставить|оставьте|добавить|написать) комментарий",
    r"(вернуться )?наверх",
    r"(читать|подробнее)( далее| полностью| ещ[её]| по ссылке)?",
    r"читать (далее|полностью) .{0,40}",
    r"(показать|загрузить) ещ[её]",
    r"(фото|источник|теги|метки|видео)\s*:.{0,60}",
    r"все права защищены.{0,40}",
)

#: Longer notices, matched at the start of the line (their wording varies after the first words).
_NOTICES: tuple[str, ...] = (
    r"this site uses akismet to reduce spam\b",
    r"learn how your comment data is processed\b",
    r"your email address will not be published\b",
    r"(we|this (web)?site|our (web)?site) uses? cookies\b",
    r"by (continuing to (use|browse)|using) (this|our) (web)?site\b",
    r"мы используем (файлы )?cookie",
    r"(этот|наш) сайт использует (файлы )?cookie",
    r"при (использовании|цитировании|копировании|перепечатке) материалов",
)

#: Wire-service slugs such as "kk-mos/sc" or "ml/ss": short lowercase parts joined by "/" or "-".
_SLUG = re.compile(r"[a-z]{1,5}(?:[-/][a-z]{1,5}){1,4}")

_LINE_RE = re.compile("(?:" + "|".join(LINE_PATTERNS) + ")", re.IGNORECASE)
_NOTICE_RE = re.compile("(?:" + "|".join(_NOTICES) + ")", re.IGNORECASE)
# Decoration a widget label often carries: bullets before, colons, ellipses and arrows after.
_TRIM_END = " \t.:;!…»>→›|-–—"
_TRIM_START = " \t•·|«<←‹-–—"


def _normalise(text: str) -> str:
    line = " ".join(text.split())
    return line.lstrip(_TRIM_START).rstrip(_TRIM_END)


def is_slug(text: str) -> bool:
    """True for a wire slug alone on a line (``kk-mos/sc``)."""
    line = text.strip()
    if not _SLUG.fullmatch(line):
        return False
    # A hyphenated word ("e-mail", "pro-russian") is not a slug; a slash, or only tiny parts, is.
    return "/" in line or all(len(part) <= 3 for part in line.split("-"))


def is_boilerplate(text: str) -> bool:
    """True when a sentence or paragraph is, as a whole, scraper boilerplate, not article text."""
    raw = text.strip()
    if not raw or "\n" in raw.rstrip():
        # A paragraph of several lines is boilerplate only if every line is.
        lines = [line for line in raw.splitlines() if line.strip()]
        return len(lines) > 1 and all(is_boilerplate(line) for line in lines)
    if is_slug(raw):
        return True
    if _NOTICE_RE.match(raw) and len(raw) <= 400:
        return True
    line = _normalise(raw)
    if not line or len(line) > MAX_LINE_CHARS:
        return False
    return _LINE_RE.fullmatch(line) is not None


def _is_kicker(text: str) -> bool:
    """A one- or two-word section label above a headline ("Politics", "World news")."""
    line = text.strip()
    return len(line.split()) <= 2 and len(line) <= 30 and not line.endswith((".", "!", "?", ":"))


def title_line(paragraphs: list[str]) -> int:
    """Index of the first paragraph that is a plausible title (0 when nothing better is found)."""
    index = 0
    n = len(paragraphs)
    while index < n and (not paragraphs[index].strip() or is_boilerplate(paragraphs[index])):
        index += 1
    if index + 1 < n and _is_kicker(paragraphs[index]):
        following = paragraphs[index + 1].strip()
        # Only when the next line reads as a headline (longer, short of a paragraph, no full stop): a
        # two-word headline over its body text stays the title.
        headline = len(paragraphs[index].strip()) < len(following) <= 200 and not following.endswith(".")
        if headline and not is_boilerplate(following):
            index += 1
    return index if index < n else 0
