"""Field conversions the parsers share: dates, name lists, section paths, plain text to paragraphs, genres,
and a story's public notes (corrections and live updates).

It also maps the documented flat columns (JSON Lines and CSV, and the `jsonl` export) onto a `Story`.
"""

import html
import json
import re
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from operator import attrgetter

from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from articles.importers.story import BadInput, PictureRef, PostedUpdate, PublicCorrection, Story
from articles.models import PUBLISHING_YEARS, ArticleGenre, Author, Correction, LiveUpdate
from articles.models.fields import plain_text, sanitise_html
from articles.taxonomy import parse_tag_string
from articles.workflow import LIVE_UPDATE_LONGEST

# C0 control characters but tab, newline and carriage return: PostgreSQL refuses NUL in text and XML 1.0
# (the feeds and sitemaps) refuses them all. They carry no text: the pipeline writes a story without them,
# and a picture path holding one is refused (it names no file on purpose).
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")

# The flat columns of JSON Lines and CSV input (and of the jsonl export). Only `headline` is required.
COLUMNS = (
    "headline",
    "body",
    "standfirst",
    "kicker",
    "genre",
    "section",
    "language",
    "published_at",
    "embargo_until",
    "regions",
    "actors",
    "authors",
    "authors_ar",
    "byline",
    "credit",
    "source",
    "source_id",
    "source_url",
    "image",
    "image_caption",
    "image_credit",
    "image_alt",
    "image_title",
    "image_copyright",
    "image_decorative",
)
NAME_SEPARATORS = re.compile("[,،;؛]")  # as `parse_tag_string` splits a name list without "|"
SECTION_SEPARATOR = re.compile(r"\s*(?:>|»|/)\s*")
_HTML_START = re.compile(r"^\s*<(?:p|div|h[1-6]|ul|ol|blockquote|figure|table|br|span|strong|em|b|i|a)\b", re.I)


def parse_when(value):
    """An aware datetime from ISO 8601, a bare date or RFC 2822 text (naive times are newsroom time).

    BadInput when it is none of these, or when it falls outside `PUBLISHING_YEARS` (1900 to 2999) in UTC or newsroom
    time: the calendar's edges (0001-01-01 in Baghdad) cannot be held, nor a page show them, and a year outside the
    range has no page in the archive and no date the desk or search may name."""
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        moment, text = value, value.isoformat()
    else:
        text = str(value).strip()
        try:
            moment = parse_datetime(text.replace(" ", "T", 1) if re.match(r"\d{4}-\d\d-\d\d \d", text) else text)
        except ValueError:
            moment = None
        if moment is None:
            day = _try(parse_date, text)
            moment = datetime(day.year, day.month, day.day) if day else _try(parsedate_to_datetime, text)
        if moment is None:
            raise BadInput(f"not a date: {text[:40]!r}")
    outside = BadInput(f"not a date: {text[:40]!r} (outside the years 1900 to 2999)")
    try:
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment)
        moment = moment.astimezone(UTC)
        local = timezone.localtime(moment)
    except (OverflowError, ValueError):
        raise outside from None
    if moment.year not in PUBLISHING_YEARS or local.year not in PUBLISHING_YEARS:
        raise outside
    return moment


def _try(parser, text):
    try:
        return parser(text)
    except (TypeError, ValueError, IndexError):
        return None


def name_list(value):
    """Names from a list, or from text separated by | (else commas or semicolons, Latin or Arabic)."""
    if not value:
        return ()
    if isinstance(value, list | tuple):
        return tuple(str(v).strip() for v in value if str(v).strip())
    text = str(value)
    if "|" in text:
        return tuple(part.strip() for part in text.split("|") if part.strip())
    return tuple(parse_tag_string(text))


def _entries(value):
    """Every entry of a name list in its place, blanks kept: a list's items, or text split as `name_list` splits it."""
    if isinstance(value, list | tuple):
        return [str(v).strip() for v in value]
    text = str(value or "")
    if not text.strip():
        return []
    return [part.strip() for part in (text.split("|") if "|" in text else NAME_SEPARATORS.split(text))]


def authors_with_arabic(authors, arabic):
    """(authors, their Arabic names) from the `authors` and `authors_ar` columns; BadInput if `authors_ar`
    cannot be paired with `authors` name for name. Without `authors_ar`: (`name_list(authors)`, ())."""
    if arabic is None or arabic == "":
        return name_list(authors), ()
    if isinstance(arabic, list):
        if not all(isinstance(name, str) for name in arabic):
            raise BadInput("authors_ar holds something other than names")
    elif not isinstance(arabic, str) or isinstance(authors, list | tuple):
        raise BadInput("authors_ar is not a list of names")
    names, names_ar = _entries(authors), _entries(arabic)
    if len(names) != len(names_ar):
        raise BadInput(f"authors_ar has {len(names_ar)} names for {len(names)} authors")
    pairs = [(name, name_ar) for name, name_ar in zip(names, names_ar, strict=True) if name]
    return tuple(name for name, _ar in pairs), tuple(name_ar for _name, name_ar in pairs)


def section_path(value):
    """A section path from "Iraq News > Local News" (or a list of names), top first."""
    if not value:
        return ()
    if isinstance(value, list | tuple):
        return tuple(str(v).strip() for v in value if str(v).strip())
    return tuple(part for part in SECTION_SEPARATOR.split(str(value).strip()) if part)


def paragraphs_html(text):
    """Plain text as HTML paragraphs: blank lines separate paragraphs; without any, every line is one."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").strip()
    if not text:
        return ""
    # Escaped once, whole (escaping touches no white space, so the blocks are cut where they were).
    text = html.escape(text)
    if "\n\n" in text or re.search(r"\n[ \t]*\n", text):
        blocks = [" ".join(line.strip() for line in block.splitlines()) for block in re.split(r"\n\s*\n", text)]
    else:
        blocks = text.splitlines()
    return "".join(f"<p>{block.strip()}</p>" for block in blocks if block.strip())


def body_html(value):
    """A body column: HTML kept as it is (it is sanitised on save), plain text turned into paragraphs."""
    # Control characters go first, so a paragraph of nothing else makes no empty <p></p>.
    text = CONTROL_CHARACTERS.sub("", str(value or ""))
    return text.strip() if _HTML_START.match(text) else paragraphs_html(text)


# What a genre an input gives names, as the type of work it is: the site's own names (the `genre` column, the
# jsonl export), and IPTC's genre NewsCodes (http://cv.iptc.org/newscodes/genre/, qcodes "genre:Opinion") by
# their codes and names, compared folded (case, "_" for a space). IPTC's Background ("scene setting and
# explanation") is the explainer; Current ("Current Events") is news, as are the site's "news".
GENRE_NAMES = {
    "news": ArticleGenre.NEWS,
    "current": ArticleGenre.NEWS,
    "current events": ArticleGenre.NEWS,
    "analysis": ArticleGenre.ANALYSIS,
    "opinion": ArticleGenre.OPINION,
    "explainer": ArticleGenre.EXPLAINER,
    "background": ArticleGenre.EXPLAINER,
    "backgrounder": ArticleGenre.EXPLAINER,
    "interview": ArticleGenre.INTERVIEW,
}
IPTC_GENRES = "http://cv.iptc.org/newscodes/genre/"
_IPTC_GENRE_PREFIX = re.compile(r"^\s*(?:https?://cv\.iptc\.org/newscodes/genre/|genre:)", re.IGNORECASE)
_SHOWN = 60  # characters of an unknown genre quoted in the report


def genre_of(name):
    """The type of work (an `ArticleGenre` value) that a genre's code, URI or name gives, or None."""
    if not isinstance(name, str):
        return None
    words = _IPTC_GENRE_PREFIX.sub("", name).replace("_", " ").split()
    return GENRE_NAMES.get(" ".join(words).casefold())


def genre_entries(value):
    """The genres of a `genre` column: a name, or a list of them; anything else is kept to be reported."""
    if value is None or value == "":
        return ()
    values = value if isinstance(value, list | tuple) else [value]
    return tuple((v if isinstance(v, str) else json_text(v),) for v in values if v is not None and v != "")


def json_text(value):
    """A value that should have been a name, as it appears in the input (for the report)."""
    try:
        return json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError):
        return str(value)


def work_type(genres):
    """(type of work, problems) of a story from the `genres` its input gives (`Story.genres`).

    Each genre is a tuple of the ways the input names it (code, URI, name), tried in turn. The first genre that
    is not news decides; none of them, news. A genre that names nothing the site knows, or a second, other type
    of work, is a problem of the story's entry (the story is imported all the same), worded for the report.
    """
    chosen, problems = ArticleGenre.NEWS, []
    for names in genres:
        given = [name for name in names if isinstance(name, str) and name.strip()]
        if not given:
            continue
        found = next(filter(None, map(genre_of, given)), None)
        shown = " ".join(CONTROL_CHARACTERS.sub("", given[0]).split())
        shown = shown if len(shown) <= _SHOWN else shown[: _SHOWN - 1] + "…"
        if found is None:
            problems.append(f"genre “{shown}”: not a type of work the site knows")
        elif found != ArticleGenre.NEWS and chosen == ArticleGenre.NEWS:
            chosen = found
        elif found not in (ArticleGenre.NEWS, chosen):
            problems.append(f"genre “{shown}”: another type of work than the first one given")
    return str(chosen), [f"{problem} (imported as {chosen})" for problem in problems]


def story_from_columns(row, entry=None):
    """A Story from a dict with the documented flat columns (unknown columns are ignored)."""

    def get(name):
        value = row.get(name)
        return value.strip() if isinstance(value, str) else value

    def text(name):
        # A text column holds text (a whole number will do, as a spreadsheet or JSON gives an id); a list, an
        # object, true/false or a fraction is the entry's problem, not "['a', 'b']" or "nan" in the story.
        value = get(name)
        if value is None or isinstance(value, str):
            return value or ""
        if isinstance(value, int) and not isinstance(value, bool):
            return str(value)
        raise BadInput(f"{name} is not text: {json_text(value)[:40]}")

    headline = get("headline") or ""
    if not isinstance(headline, str) or not headline:
        raise BadInput("no headline")
    authors, authors_ar = authors_with_arabic(get("authors"), get("authors_ar"))
    return Story(
        headline=" ".join(headline.split()),
        body=body_html(text("body")),
        standfirst=text("standfirst"),
        kicker=text("kicker"),
        genres=genre_entries(get("genre")),
        section=section_path(get("section")),
        language=text("language"),
        published_at=parse_when(get("published_at")),
        embargo_until=parse_when(get("embargo_until")),
        regions=name_list(get("regions")),
        actors=name_list(get("actors")),
        authors=authors,
        authors_ar=authors_ar,
        byline=text("byline"),
        dateline=text("dateline"),
        credit=text("credit"),
        source=text("source"),
        source_id=text("source_id"),
        source_url=text("source_url"),
        picture=_picture(get),
        entry=entry,
    )


def _picture(get):
    """The `image` column (a file path, relative to the input file) with its caption, credit, alt text, and the
    library's title, copyright holder and decorative flag (`_decorative`) for it."""
    path = get("image")
    if not path:
        return None
    decorative, problem = _decorative(get("image_decorative"))
    return PictureRef(
        path=str(path),
        caption=str(get("image_caption") or ""),
        credit=str(get("image_credit") or ""),
        alt_text=str(get("image_alt") or ""),
        title=str(get("image_title") or "").strip(),
        copyright_holder=str(get("image_copyright") or "").strip(),
        decorative=decorative,
        problem=problem,
    )


_YES, _NO = ("true", "1", "yes"), ("false", "0", "no", "")


def _decorative(value):
    """(flag, problem) for an `image_decorative` value: JSON true/false, or true/1/yes and false/0/no in any case
    (empty or missing: false). Anything else is the picture's problem, so it is not imported on a guess."""
    text = str(value if value is not None else "").strip().lower()
    if text in _YES or text in _NO:
        return text in _YES, ""
    return False, f"image_decorative “{str(value)[:40]}” is neither true nor false"


# --- a story's public notes --------------------------------------------------------------------------------

CORRECTION_KINDS = tuple(Correction.Kind.values)
NOTE_CLOCK_SKEW = timedelta(minutes=5)  # how far ahead of this server's clock a note's time may be
# Characters of a correction's text: as many as a live update's (LIVE_UPDATE_LONGEST), more than the desk's form
# takes (2,000), so every exported correction comes back.
CORRECTION_LONGEST = 5000
MAX_UPDATE_TITLE = LiveUpdate._meta.get_field("title").max_length
MAX_AUTHOR_NAME = Author._meta.get_field("display_name").max_length
CORRECTION_TIME, UPDATE_TIME = attrgetter("created_at"), attrgetter("posted_at")  # the order notes are kept in


def _note_text(value, what="text"):
    """A note's text as given, control characters out and stripped; BadInput when it is not text or empty."""
    if value is None or value == "":
        raise BadInput(f"no {what}")
    if not isinstance(value, str):
        raise BadInput(f"{what} is not text")
    text = CONTROL_CHARACTERS.sub("", value).strip()
    if not text:
        raise BadInput(f"no {what}")
    return text


def _note_time(item, name):
    value = item.get(name)
    if value is None or value == "":
        raise BadInput(f"no time ({name})")
    if not isinstance(value, str):
        raise BadInput(f"{name} is not a date: {json_text(value)[:40]}")
    try:
        moment = parse_when(value)
    except BadInput as error:
        raise BadInput(f"{name} is {error}") from None
    if moment > timezone.now() + NOTE_CLOCK_SKEW:
        # A note cannot have been published yet: a wrong time zone or a typo, which would keep the story "Live".
        raise BadInput(f"{name} is in the future: {value.strip()[:40]!r}")
    return moment


def correction_of(item, time="created_at"):
    """A `PublicCorrection` from an object with `kind`, `text` and its time under `time`; BadInput saying what is
    wrong."""
    if not isinstance(item, dict):
        raise BadInput("not a JSON object")
    kind = item.get("kind")
    if kind is None or kind == "":
        raise BadInput("no kind")
    if not isinstance(kind, str) or kind.strip().casefold() not in CORRECTION_KINDS:
        shown = kind if isinstance(kind, str) else json_text(kind)
        raise BadInput(f"kind {shown[:40]!r} is not one of {', '.join(CORRECTION_KINDS)}")
    text = _note_text(item.get("text"))
    if len(text) > CORRECTION_LONGEST:
        raise BadInput(f"text longer than {CORRECTION_LONGEST} characters ({len(text)})")
    return PublicCorrection(kind.strip().casefold(), text, _note_time(item, time))


# Markup anywhere in a live update's text: a tag or a character reference. (`body_html` looks only at how a
# body starts; a stored update, which `export_articles` writes as it is, may start with any sanitised tag.)
_MARKUP = re.compile(r"</?[a-z][a-z0-9]*\b[^<>]*>|&(?:#\d+|#x[0-9a-f]+|[a-z]+\d*);", re.I)


def _one_line(item, name, longest, kind):
    """The optional one-line text `item[name]` ("" when missing), control characters out and spaces made single;
    BadInput when it is not text ("<name> is not <kind>") or longer than `longest`."""
    value = item.get(name)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise BadInput(f"{name} is not {kind}")
    value = " ".join(CONTROL_CHARACTERS.sub("", value).split())
    if len(value) > longest:
        raise BadInput(f"{name} longer than {longest} characters ({len(value)})")
    return value


def live_update_of(item, time="posted_at", html=None, picture=None):
    """A `PostedUpdate` from an object with its time under `time`, `text`, an optional `title`, an optional `author`
    (the name of the update's byline) and an optional picture: `picture` when the caller found one, else the
    object's `image` (a file path) with `image_caption`, `image_credit`, `image_alt`, `image_title`,
    `image_copyright` and `image_decorative`, as a story's columns name
    its lead picture; BadInput saying what is wrong. The text is HTML when `html` says so, or (None) when it holds
    any markup, else plain text whose blank lines separate paragraphs; either way sanitised as `LiveUpdate.text`
    is."""
    if not isinstance(item, dict):
        raise BadInput("not a JSON object")
    title = _one_line(item, "title", MAX_UPDATE_TITLE, "text")
    author = _one_line(item, "author", MAX_AUTHOR_NAME, "a name")
    text = _note_text(item.get("text"))
    if html is None:
        html = bool(_MARKUP.search(text))
    text = sanitise_html(text if html else paragraphs_html(text))  # CleanHTML: the model field keeps it as it is
    shown = plain_text(text)
    if not shown:
        raise BadInput("no text (nothing left once sanitised)")
    if len(shown) > LIVE_UPDATE_LONGEST:
        raise BadInput(f"text longer than {LIVE_UPDATE_LONGEST} characters ({len(shown)})")
    return PostedUpdate(_note_time(item, time), title, text, author, picture or _picture(item.get))


def distinct_notes(notes, when):
    """`notes` (corrections or live updates) each once (by `key`, the first one given), oldest by `when` first."""
    first = {}
    for note in notes:
        first.setdefault(note.key, note)
    return tuple(sorted(first.values(), key=when))


def _notes(value, column, read, when):
    """The notes of a list column (`read` makes one of an item), each once, oldest first (`distinct_notes`);
    BadInput naming the column and the item (counted from 1) that cannot be read."""
    if value is None or value == "":
        return ()
    if not isinstance(value, list):
        raise BadInput(f"{column} is not a list")
    notes = []
    for number, item in enumerate(value, start=1):
        try:
            notes.append(read(item))
        except BadInput as error:
            raise BadInput(f"{column} item {number}: {error}") from None
    return distinct_notes(notes, when)


def corrections_of(value, column="corrections"):
    """A story's corrections from a JSON list of {kind, text, created_at}: `PublicCorrection`s, oldest first."""
    return _notes(value, column, correction_of, CORRECTION_TIME)


def live_updates_of(value, column="live_updates"):
    """A story's live updates from a JSON list of {posted_at, title, text, author, image, image_caption,
    image_credit, image_alt, image_title, image_copyright, image_decorative}: `PostedUpdate`s, oldest first."""
    return _notes(value, column, live_update_of, UPDATE_TIME)
