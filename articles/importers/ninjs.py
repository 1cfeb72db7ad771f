"""IPTC ninjs (News in JSON), versions 1.x and 2.x: one item, or an array of items read one at a time.

1.x items have `headline`, `body_html`/`body_text`, `description_text`, `byline`, `place`, `person`,
`organisation`, `subject`, `genre` (1.3 and later); 2.x items have `headlines`, `bodies`, `descriptions`, `by`,
`places`, `people`, `organisations`, `subjects`, `infosources`, `genres`; both have `located` (the place the
story was filed from: its dateline). `uri` is the item's identifier; a
subject with `rel` "section" names the section ("Iraq News > Local News"), which is how `export_articles`
writes it. A genre (IPTC genre NewsCodes: a 1.x `code`, a 2.x `uri` such as
http://cv.iptc.org/newscodes/genre/Opinion; else its name) gives the story's type of work.

The lead picture comes from `associations` (an object by name in 1.x, an array with `name` in 2.x): the
one named "featureimage" (or "featuremedia"), else the first of type "picture". Its `renditions` give the
file: the "original" rendition, else the widest; `href` is a path relative to the input file. Caption:
`description_text` / a description with role "caption" (else, when it has none, not even an empty one, the
picture's headline); credit: `by` / `byline` / the first `infosources` name / `copyrightholder`; copyright
holder: `copyrightholder` (else the credit); the library's title: its headline; alt text: a description with
role "alt" (or "alternative") or an `alt_text` field; an "alt" description whose value is empty marks the
picture decorative (as `alt=""` does in HTML).

A story's public notes are associations too, as `export_articles` writes them (ninjs 2.0 has no field for
either; see `articles.export`): an association whose `profile` is "newsroom:live-update" is a live update
(time `firstcreated`, else `versioncreated`; title its main headline; text its body, HTML when its
`contenttype` says so, else plain text; byline its `by`; picture one its own `associations` name, found as
an item's lead picture is), and one
whose profile is "newsroom:" and a kind of correction ("newsroom:correction", "newsroom:clarification",
"newsroom:update", "newsroom:retraction") is a correction of that kind (time and text the same way). A note
that cannot be read fails its item, naming the association.

JSON nested more than `MAX_DEPTH` levels deep is malformed from the item that goes that deep on (the items
before it are read), checked while the bytes stream in, so no input can make the parser's memory grow.
"""

import re

import ijson

from articles.importers.encoding import utf8_stream
from articles.importers.fields import (
    CORRECTION_TIME,
    UPDATE_TIME,
    body_html,
    correction_of,
    distinct_notes,
    json_text,
    live_update_of,
    name_list,
    paragraphs_html,
    parse_when,
    section_path,
)
from articles.importers.story import BadInput, EntryError, PictureRef, Story
from articles.tagging import plain_text

# Far beyond any real ninjs (an item's associations' renditions sit a dozen levels down). ijson's memory grows
# with the square of the nesting, so 100,000 brackets in 200 KB would take many gigabytes.
MAX_DEPTH = 64
_STRUCTURE = re.compile(rb'["\\\[\]{}]')


class _DepthLimited:
    """A binary stream that ends just before the bracket that would nest its JSON deeper than `MAX_DEPTH` (so
    the parser sees the document cut short there, after yielding every item before it); `too_deep` says so.
    Brackets inside strings do not count."""

    def __init__(self, stream):
        self.stream, self.depth, self.in_string, self.skip, self.too_deep = stream, 0, False, 0, False

    def read(self, size=-1):
        if self.too_deep:
            return b""
        chunk = self.stream.read(size)
        skip = self.skip
        for match in _STRUCTURE.finditer(chunk):
            at = match.start()
            if at < skip:  # the character after a backslash
                continue
            byte = chunk[at : at + 1]
            if self.in_string:
                if byte == b"\\":
                    skip = at + 2
                elif byte == b'"':
                    self.in_string = False
            elif byte == b'"':
                self.in_string = True
            elif byte in b"[{":
                self.depth += 1
                if self.depth > MAX_DEPTH:
                    self.too_deep = True
                    return chunk[:at]
            elif byte in b"]}":
                self.depth -= 1
        self.skip = skip - len(chunk)  # 1 when the chunk ends on a backslash inside a string
        return chunk


def _first_non_space(stream):
    head = stream.peek(64)
    stripped = head.lstrip(b" \t\r\n\xef\xbb\xbf")
    return stripped[:1]


def _names(items):
    names = []
    for item in items or ():
        if isinstance(item, str):
            names.append(item)
        elif isinstance(item, dict):
            name = item.get("literal") or item.get("name") or ""
            if name:
                names.append(str(name))
    return tuple(names)


def _pick(entries, roles=("main", "summary")):
    entries = [e for e in entries or () if isinstance(e, dict) and isinstance(e.get("value"), str)]
    for entry in entries:
        if entry.get("role") in roles:
            return entry
    return entries[0] if entries else None


def _body_v2(bodies):
    bodies = [b for b in bodies or () if isinstance(b, dict) and isinstance(b.get("value"), str)]
    html = next((b for b in bodies if "html" in (b.get("contenttype") or "")), None)
    if html:
        return html["value"]
    chosen = _pick(bodies)
    return body_html(chosen["value"]) if chosen else ""


FEATURE_NAMES = ("featureimage", "featuremedia")


def _associations(item):
    """(name, association) pairs of a 1.x object or a 2.x array."""
    found = item.get("associations")
    if isinstance(found, dict):
        return [(name, value) for name, value in found.items() if isinstance(value, dict)]
    if isinstance(found, list):
        return [(str(value.get("name") or ""), value) for value in found if isinstance(value, dict)]
    return []


def _rendition_href(renditions):
    if isinstance(renditions, dict):
        renditions = [{"name": name, **value} for name, value in renditions.items() if isinstance(value, dict)]
    renditions = [r for r in renditions or () if isinstance(r, dict) and isinstance(r.get("href"), str)]
    if not renditions:
        return ""
    original = next((r for r in renditions if r.get("name") == "original"), None)
    return (original or max(renditions, key=lambda r: r.get("width") or 0))["href"]


def _description(picture, roles):
    """The plain text of the picture's first description with one of `roles`; None when it has none ("" for one
    given empty, which says something: no caption, or a decorative picture)."""
    for entry in picture.get("descriptions") or ():
        if isinstance(entry, dict) and entry.get("role") in roles and isinstance(entry.get("value"), str):
            return plain_text(entry["value"]).strip()
    return None


def picture_from_item(item):
    """The lead picture (a PictureRef) an item's `associations` name, or None."""
    pictures = [(name, a) for name, a in _associations(item) if a.get("type", "picture") == "picture"]
    chosen = next((a for name, a in pictures if name in FEATURE_NAMES), None) or next(
        (a for _name, a in pictures), None
    )
    if chosen is None:
        return None
    href = _rendition_href(chosen.get("renditions")) or str(chosen.get("uri") or "")
    if not href:
        return None
    headline = chosen.get("headline") or (_pick(chosen.get("headlines")) or {}).get("value") or ""
    described = _description(chosen, ("caption", "summary"))  # given empty: no caption, not the headline
    caption = chosen.get("description_text") or (headline if described is None else described)
    sources = [s.get("name", "") for s in chosen.get("infosources") or () if isinstance(s, dict)]
    holder = chosen.get("copyrightholder") or ""
    credit = chosen.get("by") or chosen.get("byline") or next(iter(sources), "") or holder
    alt_given = _description(chosen, ("alt", "alternative", "alttext"))
    alt = chosen.get("alt_text") or alt_given or ""
    decorative = not alt and alt_given == ""  # an alt text given empty, as alt="" in HTML: decorative
    return PictureRef(
        path=href,
        caption=str(caption).strip(),
        credit=str(credit).strip(),
        alt_text=str(alt).strip(),
        title=str(headline).strip(),
        copyright_holder=str(holder).strip(),
        decorative=decorative,
    )


NOTE_PROFILE = "newsroom:"  # the `profile` of an association that is a public note: "newsroom:<kind>"
LIVE_UPDATE_PROFILE = "newsroom:live-update"


def notes_from_item(item):
    """(corrections, live updates) that an item's associations hold (see the module docstring), each once and
    oldest first; BadInput naming the association that cannot be read."""
    corrections, updates = [], []
    for number, (name, association) in enumerate(_associations(item), start=1):
        profile = association.get("profile")
        if not isinstance(profile, str) or not profile.startswith(NOTE_PROFILE):
            continue
        body = _pick(association.get("bodies"))
        text = body["value"] if body else None
        is_html = "html" in str(body.get("contenttype") or "") if body else False
        fields = {
            "text": text,
            "title": (_pick(association.get("headlines")) or {}).get("value"),
            "firstcreated": association.get("firstcreated") or association.get("versioncreated"),
            "author": association.get("by"),
        }
        try:
            if profile == LIVE_UPDATE_PROFILE:
                picture = picture_from_item(association)  # its own "featureimage", as `export_articles` writes it
                updates.append(live_update_of(fields, time="firstcreated", html=is_html, picture=picture))
            else:
                if text and is_html:
                    fields["text"] = plain_text(text)
                fields["kind"] = profile.removeprefix(NOTE_PROFILE)
                corrections.append(correction_of(fields, time="firstcreated"))
        except BadInput as error:
            raise BadInput(f"association {name or number}: {error}") from None
    return distinct_notes(corrections, CORRECTION_TIME), distinct_notes(updates, UPDATE_TIME)


def _genres(entries, keys):
    """The genres of a 1.x `genre` or 2.x `genres` array: for each, its `keys` in turn (an IPTC code or URI, then
    its name). A bare string is one genre; anything else is kept as written, for the report."""
    if entries is None:
        return ()
    genres = []
    for entry in entries if isinstance(entries, list) else [entries]:
        if isinstance(entry, dict):
            names = tuple(entry[key] for key in keys if isinstance(entry.get(key), str) and entry[key].strip())
            genres.append(names or (json_text(entry),))
        elif isinstance(entry, str):
            genres.append((entry,))
        elif entry is not None:
            genres.append((json_text(entry),))
    return tuple(genres)


def story_from_item(item, entry=None):
    """A Story from one ninjs object (1.x or 2.x)."""
    if not isinstance(item, dict):
        raise BadInput("not a JSON object")
    kind = item.get("type", "text")
    if kind not in ("text", "composite"):
        raise BadInput(f"not a text item (type {kind})")
    if "headlines" in item or "bodies" in item:
        chosen = _pick(item.get("headlines"))
        headline = chosen["value"] if chosen else ""
        body = _body_v2(item.get("bodies"))
        summary = _pick(item.get("descriptions"), roles=("summary", "abstract"))
        standfirst = plain_text(summary["value"]) if summary else ""
        places, people, organisations = item.get("places"), item.get("people"), item.get("organisations")
        subjects = item.get("subjects")
        byline = item.get("by") or ""
        credit = next((s.get("name", "") for s in item.get("infosources") or () if isinstance(s, dict)), "")
        genres = _genres(item.get("genres"), ("uri", "literal", "name"))
    else:
        headline = item.get("headline") or ""
        body = item.get("body_html") or paragraphs_html(item.get("body_text") or "")
        standfirst = item.get("description_text") or plain_text(item.get("description_html") or "")
        places, people, organisations = item.get("place"), item.get("person"), item.get("organisation")
        subjects = item.get("subject")
        byline = item.get("byline") or item.get("by") or ""
        credit = item.get("copyrightholder") or ""
        genres = _genres(item.get("genre"), ("code", "name"))
    if not isinstance(headline, str) or not headline.strip():
        raise BadInput("no headline")
    section = next(
        (s.get("name") for s in subjects or () if isinstance(s, dict) and s.get("rel") == "section" and s.get("name")),
        "",
    )
    uri = str(item.get("uri") or item.get("guid") or "")
    altids = {a.get("role"): a.get("value") for a in item.get("altids") or () if isinstance(a, dict)}
    corrections, live_updates = notes_from_item(item)
    kickers = [h for h in item.get("headlines") or () if isinstance(h, dict) and h.get("role") == "kicker"]
    kicker = kickers[0].get("value", "") if kickers else ""
    return Story(
        kicker=str(kicker or ""),
        source=str(altids.get("source") or ""),
        headline=" ".join(headline.split()),
        body=body,
        standfirst=standfirst.strip(),
        language=str(item.get("language") or ""),
        section=section_path(section),
        authors=name_list(byline),
        dateline=str(item.get("located") or ""),
        regions=_names(places),
        actors=_names(people) + _names(organisations),
        published_at=parse_when(item.get("firstcreated") or item.get("versioncreated")),
        embargo_until=parse_when(item.get("embargoed")),
        source_id=str(altids.get("source-id") or uri),
        source_url=uri if uri.startswith(("http://", "https://")) else "",
        credit=str(credit),
        picture=picture_from_item(item),
        genres=genres,
        corrections=corrections,
        live_updates=live_updates,
        entry=entry,
    )


def parse(source, options):
    """Yield a Story (or EntryError) per ninjs item; a single object is entry 1."""
    with source.open() as raw:
        # JSON is UTF-8, but a partner's file may come with a byte-order mark, in UTF-16 or in a legacy encoding.
        stream = utf8_stream(raw)
        first = _first_non_space(stream)
        if first not in (b"{", b"["):
            raise BadInput("not JSON (expected an object or an array of ninjs items)")
        prefix = "item" if first == b"[" else ""
        number = 0
        limited = _DepthLimited(stream)
        try:
            for number, item in enumerate(ijson.items(limited, prefix, use_float=True), start=1):  # noqa: B007
                try:
                    yield story_from_item(item, entry=number)
                except BadInput as error:
                    yield EntryError(number, str(error))
        except (ijson.JSONError, ijson.IncompleteJSONError, UnicodeDecodeError) as error:
            message = error.args[0] if error.args else ""
            # ijson's C backend words its errors as bytes; the report shows the words, not b'…'.
            message = message.decode("utf-8", "replace") if isinstance(message, bytes) else str(message or error)
            reason = f"malformed JSON: {message.splitlines()[0][:80] if message else type(error).__name__}"
            if limited.too_deep:
                reason = f"malformed JSON: nested deeper than {MAX_DEPTH} levels"
            if number == 0 and prefix == "":
                raise BadInput(reason) from None
            yield EntryError(number + 1, reason)
