"""IPTC NewsML-G2 news items: a `newsItem`, or a `newsMessage` carrying several, read element by element.

Read: `@guid` (the identifier), `itemMeta/firstCreated`/`versionCreated` and `embargoed`,
`contentMeta/headline`, `description` (the standfirst), `language` (or `@xml:lang`), `creator/name`
(authors), `creditline`, `by`, `subject` with a type of `cpnat:geoArea`/`cpnat:poi` (regions),
`cpnat:person` and `cpnat:organisation` (actors), `located` (the dateline place: its `name`, else its
`@literal`), `genre` (its `@qcode`, `@uri` or name: IPTC genre
NewsCodes such as `genre:Opinion`), and the body from `contentSet/inlineXML` (XHTML) or
`inlineData` (text). DTDs and entity declarations are refused (defusedxml).

Lead pictures: a picture `newsItem` (itemClass `ninat:picture`) in the same message is not a story; its
`contentSet/remoteContent/@href` (a path relative to the input file), its `description` (role
`drol:caption`, else the first), `creditline` (else `by`) and a description with role `drol:alternative`
(alt text) become the picture of the text item whose `itemMeta/link/@residref` names the picture's guid.
A `link` with an image `contenttype` and an `href` names a picture file directly (its `title` is the caption).
"""

from xml.etree.ElementTree import ParseError, tostring

from defusedxml import DTDForbidden, EntitiesForbidden
from defusedxml.ElementTree import iterparse

from articles.importers.fields import name_list, paragraphs_html, parse_when
from articles.importers.story import BadInput, EntryError, PictureRef, Story

NAR = "{http://iptc.org/std/nar/2006-10-01/}"
XHTML = "{http://www.w3.org/1999/xhtml}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
PLACE_TYPES = {"cpnat:geoArea", "cpnat:poi", "cpnat:geoarea"}
ACTOR_TYPES = {"cpnat:person", "cpnat:organisation", "cpnat:organization"}


def _text(element):
    return " ".join("".join(element.itertext()).split()) if element is not None else ""


def _inner_html(element):
    """The children of an XHTML element serialised as plain HTML (namespace prefixes dropped)."""
    for node in element.iter():
        if isinstance(node.tag, str) and node.tag.startswith(XHTML):
            node.tag = node.tag[len(XHTML) :]
    parts = [element.text or ""]
    parts += [tostring(child, encoding="unicode", method="html") for child in element]
    return "".join(parts).strip()


def _body(item):
    inline = item.find(f"{NAR}contentSet/{NAR}inlineXML")
    if inline is not None:
        body = inline.find(f".//{XHTML}body")
        return _inner_html(body if body is not None else inline)
    data = item.find(f"{NAR}contentSet/{NAR}inlineData")
    return paragraphs_html(data.text or "") if data is not None else ""


def _subject_names(meta, types):
    names = []
    for subject in meta.findall(f"{NAR}subject"):
        if subject.get("type") in types:
            name = _text(subject.find(f"{NAR}name")) or subject.get("literal") or ""
            if name:
                names.append(name)
    return tuple(names)


def _genres(meta):
    """The item's genres, each as its qcode, URI, literal and name (whichever it has), for `fields.work_type`."""
    return tuple(
        (genre.get("qcode", ""), genre.get("uri", ""), genre.get("literal", ""), _text(genre.find(f"{NAR}name")))
        for genre in meta.findall(f"{NAR}genre")
    )


def is_picture_item(item):
    """True for a picture newsItem (itemClass ninat:picture), which carries a picture, not a story."""
    item_class = item.find(f"{NAR}itemMeta/{NAR}itemClass")
    return item_class is not None and "picture" in (item_class.get("qcode") or item_class.get("uri") or "")


def picture_from_item(item):
    """The PictureRef a picture newsItem describes (its remoteContent file and words), or None."""
    remote = item.find(f"{NAR}contentSet/{NAR}remoteContent")
    href = remote.get("href", "") if remote is not None else ""
    if not href:
        return None
    meta = item.find(f"{NAR}contentMeta")
    descriptions = meta.findall(f"{NAR}description") if meta is not None else []
    by_role = {d.get("role", ""): _text(d) for d in descriptions}
    caption = by_role.get("drol:caption") or next((t for r, t in by_role.items() if "alternative" not in r), "")
    alt = next((t for r, t in by_role.items() if "alternative" in r), "")
    credit = _text(meta.find(f"{NAR}creditline")) or _text(meta.find(f"{NAR}by")) if meta is not None else ""
    return PictureRef(path=href, caption=caption, credit=credit, alt_text=alt)


def _picture_links(item):
    """(residref, direct PictureRef) of the text item's first picture link; either may be empty."""
    for link in item.findall(f"{NAR}itemMeta/{NAR}link"):
        if link.get("residref"):
            return link.get("residref"), None
        if (link.get("contenttype") or "").startswith("image/") and link.get("href"):
            return "", PictureRef(path=link.get("href"), caption=_text(link.find(f"{NAR}title")))
    return "", None


def _located(meta):
    """The name of the place the story was filed from: `located`'s `name`, else its `@literal`."""
    located = meta.find(f"{NAR}located")
    if located is None:
        return ""
    return _text(located.find(f"{NAR}name")) or located.get("literal", "")


def story_from_item(item, entry=None):
    """A Story from one `newsItem` element."""
    item_meta = item.find(f"{NAR}itemMeta")
    meta = item.find(f"{NAR}contentMeta")
    if meta is None:
        raise BadInput("news item without contentMeta")
    headline = _text(meta.find(f"{NAR}headline"))
    if not headline:
        raise BadInput("no headline")
    language = meta.find(f"{NAR}language")
    creators = [_text(c.find(f"{NAR}name")) or c.get("literal", "") for c in meta.findall(f"{NAR}creator")]
    by = _text(meta.find(f"{NAR}by"))

    def when(tag):
        return parse_when(_text(item_meta.find(f"{NAR}{tag}"))) if item_meta is not None else None

    guid = item.get("guid", "")
    return Story(
        headline=headline,
        body=_body(item),
        standfirst=_text(meta.find(f"{NAR}description")),
        language=(language.get("tag") if language is not None else "") or item.get(XML_LANG, ""),
        authors=tuple(c for c in creators if c) or name_list(by),
        credit=_text(meta.find(f"{NAR}creditline")),
        dateline=_located(meta),
        regions=_subject_names(meta, PLACE_TYPES),
        actors=_subject_names(meta, ACTOR_TYPES),
        published_at=when("firstCreated") or when("versionCreated"),
        embargo_until=when("embargoed"),
        source_id=guid,
        picture=_picture_links(item)[1],
        genres=_genres(meta),
        entry=entry,
    )


def parse(source, options):
    """Yield a Story (or EntryError) per text newsItem, freeing each element once read.

    A story linked to a picture item not read yet waits for the end of the message, where it gets it.
    """
    number = 0
    pictures, waiting = {}, []
    with source.open() as stream:
        try:
            for _event, element in iterparse(stream, events=("end",), forbid_dtd=True):
                if element.tag != f"{NAR}newsItem":
                    continue
                if is_picture_item(element):
                    pictures[element.get("guid", "")] = picture_from_item(element)
                    element.clear()
                    continue
                number += 1
                try:
                    story = story_from_item(element, entry=number)
                except BadInput as error:
                    yield EntryError(number, str(error))
                else:
                    residref = _picture_links(element)[0]
                    if residref and residref not in pictures:
                        waiting.append((story, residref))
                    else:
                        story.picture = pictures.get(residref) if residref else story.picture
                        yield story
                element.clear()
        except (ParseError, DTDForbidden, EntitiesForbidden) as error:
            reason = f"malformed XML: {str(error)[:80]}"
            if number == 0:
                raise BadInput(reason) from None
            yield EntryError(number + 1, reason)
    # Stories still waiting (also those read before any damage), with whatever pictures were read.
    for story, residref in waiting:
        story.picture = pictures.get(residref)
        yield story
    if number == 0:
        raise BadInput("no NewsML-G2 newsItem in this XML")
