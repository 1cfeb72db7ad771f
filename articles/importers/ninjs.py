"""IPTC ninjs (News in JSON), versions 1.x and 2.x: one item, or an array of items read one at a time.

1.x items have `headline`, `body_html`/`body_text`, `description_text`, `byline`, `place`, `person`,
`organisation`, `subject`; 2.x items have `headlines`, `bodies`, `descriptions`, `by`, `places`,
`people`, `organisations`, `subjects`, `infosources`. `uri` is the item's identifier; a subject with
`rel` "section" names the section ("Iraq News > Local News"), which is how `export_articles` writes it.
"""

import ijson

from articles.importers.fields import body_html, name_list, paragraphs_html, parse_when, section_path
from articles.importers.story import BadInput, EntryError, Story
from articles.tagging import plain_text


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
    else:
        headline = item.get("headline") or ""
        body = item.get("body_html") or paragraphs_html(item.get("body_text") or "")
        standfirst = item.get("description_text") or plain_text(item.get("description_html") or "")
        places, people, organisations = item.get("place"), item.get("person"), item.get("organisation")
        subjects = item.get("subject")
        byline = item.get("byline") or item.get("by") or ""
        credit = item.get("copyrightholder") or ""
    if not isinstance(headline, str) or not headline.strip():
        raise BadInput("no headline")
    section = next(
        (s.get("name") for s in subjects or () if isinstance(s, dict) and s.get("rel") == "section" and s.get("name")),
        "",
    )
    uri = str(item.get("uri") or item.get("guid") or "")
    altids = {a.get("role"): a.get("value") for a in item.get("altids") or () if isinstance(a, dict)}
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
        regions=_names(places),
        actors=_names(people) + _names(organisations),
        published_at=parse_when(item.get("firstcreated") or item.get("versioncreated")),
        embargo_until=parse_when(item.get("embargoed")),
        source_id=str(altids.get("source-id") or uri),
        source_url=uri if uri.startswith(("http://", "https://")) else "",
        credit=str(credit),
        entry=entry,
    )


def parse(source, options):
    """Yield a Story (or EntryError) per ninjs item; a single object is entry 1."""
    with source.open() as stream:
        first = _first_non_space(stream)
        if first not in (b"{", b"["):
            raise BadInput("not JSON (expected an object or an array of ninjs items)")
        prefix = "item" if first == b"[" else ""
        number = 0
        try:
            for number, item in enumerate(ijson.items(stream, prefix, use_float=True), start=1):  # noqa: B007
                try:
                    yield story_from_item(item, entry=number)
                except BadInput as error:
                    yield EntryError(number, str(error))
        except (ijson.JSONError, ijson.IncompleteJSONError, UnicodeDecodeError) as error:
            reason = f"malformed JSON: {str(error).splitlines()[0][:80]}"
            if number == 0 and prefix == "":
                raise BadInput(reason) from None
            yield EntryError(number + 1, reason)
