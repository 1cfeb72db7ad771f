"""Exporting the public articles as IPTC ninjs 2.0 (a JSON array of items) or JSON Lines.

Only `Article.objects.published()` is exported, streamed in chunks with a fixed number of queries per
chunk, optionally narrowed (`ExportFilter`) to a time span, an edition, a section, a place or an actor as the
public pages read them (a section with its subsections, a place with the places inside it). Both formats
carry what `import_articles` reads back: importing an export into an empty database gives the same articles,
tags (by slug), datelines, authors, sections, corrections and live updates, and with `PictureCopies` (the
command's `--pictures`) the same lead pictures and update pictures, their files copied beside the export.

ninjs mapping: `uri` urn:newsroom:article:<id>; `altids` the source and source id; `headlines` (main,
kicker); `descriptions` (summary = standfirst); `bodies` (text/html); `by` the authors joined with ", ";
`places` the regions, `people`/`organisations` the actors (`literal` = slug); `subjects` the section
(`rel` "section"); `genres` the type of work of a story that is not news, as its IPTC genre NewsCode (`uri`
http://cv.iptc.org/newscodes/genre/Opinion, Analysis, Background for an explainer, Interview; `name` IPTC's
name, `literal` the site's own); `infosources` the wire credit; `located` the dateline place's name (JSON Lines:
`dateline`, its slug); `firstcreated` the first publication time;
`associations` the lead picture as "featureimage" (type picture: title, caption as a "caption" description, alt
text as an "alt" description (the caption even when empty, an empty alt text for a decorative picture), `by` and
`copyrightholder` the credit and holder, the rendition "w1280-16x9": the 16:9 JPEG up to 1280 wide at its
absolute address under `NEWSROOM_SITE_URL`, with size and type, and with copies a rendition "original": the
copied file, relative to the export), then the public stories
the desk chose to lead the related box (`Article.see_also`), in its order, as "seealso1", "seealso2" …
(type text, representation type partial: `uri`, `language`, main headline, `firstcreated`), which import
leaves aside as it does every association that is not a picture. JSON Lines carries no such column (import
has none to read it into).

Public notes: the story's corrections (`Correction`: kind, text, time) and the live updates readers see (`LiveUpdate`:
time, title, sanitised HTML text, byline; a corrected one as it reads now, a removed one left out), both **oldest
first**, numbered from 1 in that order: a live blog read from its start, and an export taken later only adds to the end
of each list. JSON Lines rows carry them as `corrections` [{"kind", "text", "created_at"}] and `live_updates`
[{"posted_at", "title", "text"}, with "author", the byline's display name, when it has one] (empty lists for none).
ninjs 2.0 has no field for either and its schema admits no property of our own on an item, nor any but `role`,
`contenttype` and `value` on a description (so a correction as a "correction" description would lose its time). A note
is a content object of its own, though, and `associations` are where ninjs puts the objects that go with an item, each a
ninjs object: so each note is an association of type text and representation type full, named "correction1" … /
"liveupdate1" …, `uri` urn:newsroom:correction:<id> / urn:newsroom:live-update:<id>, its time as `firstcreated` and
`versioncreated`, its text as the main body (text/plain for a correction, text/html for a live update), a live update's
title as its main headline, its byline's display name as `by` and its picture as an association of its own named
"featureimage" (as the story's lead picture, with the library's caption), and what it is as its `profile`, which
ninjs leaves to the provider to name and document: "newsroom:live-update", or "newsroom:" and the correction's kind
("newsroom:correction", "newsroom:clarification", "newsroom:update", "newsroom:retraction"). `import_articles` reads
both back and adds the notes a stored story lacks. The notes read are those of `exported_corrections()` and
`exported_live_updates()`, prefetched: one query each per chunk, whatever their number.
"""

import json
import mimetypes
import os
import posixpath
import shutil
import tempfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from urllib.parse import urljoin

from django.conf import settings
from django.db.models import Prefetch

from articles.importers.fields import IPTC_GENRES
from articles.importers.ninjs import LIVE_UPDATE_PROFILE, NOTE_PROFILE
from articles.models import Actor, Article, Correction, Image, LiveUpdate, Region, Section, SeeAlso
from articles.querysets import with_picture

NINJS_STANDARD = {"name": "ninjs", "version": "2.0", "schema": "http://www.iptc.org/std/ninjs/ninjs-schema_2.0.json"}
FORMATS = ("ninjs", "jsonl")


def _iso(moment):
    return moment.isoformat() if moment else None


def _section_path(section):
    if section is None:
        return ""
    return f"{section.parent.name} > {section.name}" if section.parent_id else section.name


@dataclass(frozen=True)
class ExportFilter:
    """Which public stories to export; every part is optional.

    `since`/`until`: public time (first publication, or the time a scheduled story went live) at or after /
    before these moments; `language`: the edition; `section`, `region`, `actor`: as their pages list them.
    """

    since: datetime | None = None
    until: datetime | None = None
    language: str | None = None
    section: Section | None = None
    region: Region | None = None
    actor: Actor | None = None

    def apply(self, articles):
        """`articles` narrowed to what this filter names."""
        if self.since:
            articles = articles.public_since(self.since)
        if self.until:
            articles = articles.public_before(self.until)
        if self.language:
            articles = articles.in_language(self.language)
        if self.section:
            articles = articles.in_section(self.section)
        if self.region:
            articles = articles.for_region(self.region)
        if self.actor:
            articles = articles.for_actor(self.actor)
        return articles


def public_articles(only=ExportFilter()):
    """What is exported: the published articles `only` names, with what an item needs, in id order."""
    return (
        only.apply(Article.objects.published())
        .select_related("section__parent", "dateline_place")
        .prefetch_related(
            "regions",
            "actors",
            "authors",
            Prefetch("see_also_links", queryset=_public_choices()),
            Prefetch("corrections", queryset=exported_corrections(), to_attr="exported_corrections"),
            Prefetch("live_updates", queryset=exported_live_updates(), to_attr="exported_live_updates"),
        )
        .with_lead_image()
        .order_by("pk")
    )


def _public_choices():
    """The links to chosen related stories that readers may see, in the desk's order, with what an association
    says of the story (one query per chunk)."""
    public = Article.objects.published().values("pk")
    return (
        SeeAlso.objects.filter(story__in=public)
        .select_related("story")
        .only("article_id", "position", *(f"story__{name}" for name in SEE_ALSO_COLUMNS))
        .order_by("position")
    )


def exported_corrections():
    """The public corrections an export carries with each story, oldest first (prefetched: one query per chunk)."""
    return Correction.objects.only("article_id", "kind", "text", "created_at").order_by("created_at", "pk")


def exported_live_updates():
    """The live updates an export carries with each story, oldest first (prefetched: one query per chunk), each
    with its picture and the picture's renditions in the same query. The one place that says which of a story's
    updates are public: those readers see (not removed)."""
    fields = ("article_id", "posted_at", "title", "text", "author__display_name")
    shown = LiveUpdate.objects.shown().select_related("author").only(*fields, *PICTURE_FIELDS)
    return with_picture(shown, "image").order_by("posted_at", "pk")


# What an association says of a library picture, and what its feed rendition is found by (articles/models/images.py).
PICTURE_FIELDS = tuple(f"image__{field.attname}" for field in Image._meta.concrete_fields)


def _notes(article, name, queryset):
    # What `public_articles` prefetched under `name`; for an article read otherwise, the same in its own query.
    found = getattr(article, name, None)
    return found if found is not None else list(queryset.filter(article=article))


def corrections_of(article):
    """The story's exported corrections, oldest first (prefetched by `public_articles`)."""
    return _notes(article, "exported_corrections", exported_corrections())


def live_updates_of(article):
    """The story's exported live updates, oldest first (prefetched by `public_articles`)."""
    return _notes(article, "exported_live_updates", exported_live_updates())


def correction_row(correction):
    """A correction as JSON Lines writes it (and import reads it)."""
    return {"kind": correction.kind, "text": correction.text, "created_at": _iso(correction.created_at)}


def live_update_row(update, copies=None):
    """A live update as JSON Lines writes it (and import reads it); with `copies`, its picture's file too."""
    row = {"posted_at": _iso(update.posted_at), "title": update.title, "text": update.text}
    row |= {"author": update.author.display_name} if update.author_id else {}
    if copies is not None and update.image_id:
        row |= picture_columns(copies, update.image, update.image.caption, _update_label(update))
    return row


def _update_label(update):
    """How an export's problem names a live update."""
    return f"live update of {_iso(update.posted_at)}"


def note_associations(article, copies=None):
    """The story's corrections and live updates as ninjs 2.0 associations (see the module docstring), oldest
    first; reads what `public_articles` prefetches. With `copies`, pictures name their copied file too."""
    corrections = [
        _note(article, f"correction{number}", f"correction:{c.pk}", f"{NOTE_PROFILE}{c.kind}", c.created_at)
        | {"bodies": [{"role": "main", "contenttype": "text/plain", "value": c.text}]}
        for number, c in enumerate(corrections_of(article), start=1)
    ]
    updates = [
        _note(article, f"liveupdate{number}", f"live-update:{u.pk}", LIVE_UPDATE_PROFILE, u.posted_at)
        | ({"headlines": [{"role": "main", "value": u.title}]} if u.title else {})
        | ({"by": u.author.display_name} if u.author_id else {})
        | {"bodies": [{"role": "main", "contenttype": "text/html", "value": u.text}]}
        | ({"associations": [_update_picture(u, copies)]} if u.image_id else {})
        for number, u in enumerate(live_updates_of(article), start=1)
    ]
    return corrections + updates


def _update_picture(update, copies):
    copied = copies and copies.copy(update.image, _update_label(update))
    return picture_association(update.image, update.image.caption, copied)


def _note(article, name, uri, profile, moment):
    return {
        "name": name,
        "uri": f"urn:newsroom:{uri}",
        "type": "text",
        "profile": profile,
        "representationtype": "full",
        "language": article.language,
        "firstcreated": _iso(moment),
        "versioncreated": _iso(moment),
    }


SEE_ALSO_COLUMNS = ("headline", "language", "status", "first_published_at", "scheduled_for")


# The IPTC genre NewsCode of each type of work but news (which is left unsaid, as import reads no genre as news).
IPTC_GENRE_CODES = {
    Article.Genre.ANALYSIS: "Analysis",
    Article.Genre.OPINION: "Opinion",
    Article.Genre.EXPLAINER: "Background",
    Article.Genre.INTERVIEW: "Interview",
}


def ninjs_genres(article):
    """The story's type of work as ninjs 2.0 `genres` (IPTC genre NewsCodes); None for news."""
    code = IPTC_GENRE_CODES.get(article.genre)
    if code is None:
        return None
    return [{"name": code, "uri": f"{IPTC_GENRES}{code}", "literal": article.genre}]


def ninjs_item(article, copies=None):
    """One article as a ninjs 2.0 item (a dict); with `copies` (`PictureCopies`), its pictures' files are copied
    beside the export and named by a rendition "original", which import reads."""
    item = {
        "uri": f"urn:newsroom:article:{article.pk}",
        "standard": NINJS_STANDARD,
        "type": "text",
        "version": str(article.version),
        "pubstatus": "usable",
        "language": article.language,
        "headlines": [{"role": "main", "value": article.headline}],
        "bodies": [
            {
                "role": "main",
                "contenttype": "text/html",
                "value": article.body,
                "charcount": len(article.text),
                "wordcount": article.word_count,
            }
        ],
        "genres": ninjs_genres(article),
        "firstcreated": _iso(article.first_published_at),
        "versioncreated": _iso(article.last_published_at or article.updated_at),
    }
    if article.kicker:
        item["headlines"].append({"role": "kicker", "value": article.kicker})
    if article.standfirst:
        item["descriptions"] = [{"role": "summary", "contenttype": "text/plain", "value": article.standfirst}]
    authors = [a.display_name for a in article.authors.all()]
    if authors:
        item["by"] = ", ".join(authors)
    places = [{"name": r.name, "literal": r.slug} for r in article.regions.all()]
    if places:
        item["places"] = places
    actors = list(article.actors.all())
    people = [{"name": a.name, "literal": a.slug} for a in actors if a.kind == Actor.Kind.PERSON]
    organisations = [{"name": a.name, "literal": a.slug} for a in actors if a.kind != Actor.Kind.PERSON]
    if people:
        item["people"] = people
    if organisations:
        item["organisations"] = organisations
    if article.section_id:
        item["subjects"] = [{"name": _section_path(article.section), "rel": "section"}]
    if article.credit:
        item["infosources"] = [{"name": article.credit}]
    if article.source_id:
        item["altids"] = [
            {"role": "source", "value": article.source},
            {"role": "source-id", "value": article.source_id},
        ]
    if article.dateline_place_id:
        item["located"] = article.dateline_place.name
    associations = []
    if article.lead_image_id:
        copied = copies and copies.copy(article.lead_image, "lead picture")
        associations.append(picture_association(article.lead_image, article.lead_caption, copied))
    associations += see_also_associations(article)
    associations += note_associations(article, copies)
    if associations:
        item["associations"] = associations
    return {key: value for key, value in item.items() if value is not None}


def picture_association(image, caption, copied=None):
    """A story's lead picture, or a live update's picture, as a ninjs 2.0 association named "featureimage", with
    `caption` (the story's use of it, or the library's own caption for an update); `copied`: the path, relative to
    the export, of the copy of the library's file, given as the rendition "original"."""
    rendition = image.feed_rendition()
    renditions = [
        {
            "name": "w1280-16x9",
            "href": urljoin(settings.NEWSROOM_SITE_URL, rendition.url),
            "contenttype": rendition.mime_type,
            "width": rendition.width,
            "height": rendition.height,
            "sizeinbytes": rendition.file_size,
        }
    ]
    if copied:
        renditions.append(
            {
                "name": "original",
                "href": copied,
                "contenttype": mimetypes.guess_type(copied)[0],
                "width": image.width,
                "height": image.height,
                "sizeinbytes": image.file_size,
            }
        )
    # Given even when empty: import reads a picture without a caption description as captioned by its headline.
    descriptions = [{"role": "caption", "contenttype": "text/plain", "value": caption}]
    if image.alt or image.decorative:  # an empty alt text says "decorative", as alt="" does in HTML
        descriptions.append({"role": "alt", "contenttype": "text/plain", "value": image.alt})
    association = {
        "name": "featureimage",
        "uri": f"urn:newsroom:image:{image.content_hash}",
        "type": "picture",
        "headlines": [{"role": "main", "value": image.title}],
        "descriptions": descriptions,
        "by": image.credit,
        "copyrightholder": image.copyright_holder,
        "renditions": renditions,
    }
    return {key: value for key, value in association.items() if value}


def see_also_associations(article):
    """The public stories the desk chose for the story's related box, in its order, as ninjs 2.0 associations
    ("seealso1", "seealso2" …) naming each story; reads the `see_also_links` that `public_articles` prefetches."""
    return [
        {
            "name": f"seealso{place}",
            "uri": f"urn:newsroom:article:{link.story_id}",
            "type": "text",
            "representationtype": "partial",
            "language": link.story.language,
            "headlines": [{"role": "main", "value": link.story.headline}],
            "firstcreated": _iso(link.story.published_time),
        }
        for place, link in enumerate(article.see_also_links.all(), start=1)
    ]


def jsonl_row(article, copies=None):
    """One article as a row of the documented flat columns (what JSON Lines import reads), `authors_ar`: the
    authors' Arabic names in the same order ("" for an author without one), which import gives to the authors,
    and the story's public notes, `corrections` and `live_updates`, oldest first (see the module docstring). With
    `copies` (`PictureCopies`), the lead picture's and the updates' pictures are copied beside the export and named
    by the `image` columns."""
    authors = list(article.authors.all())
    lead = {}  # read before the updates', so an export's problems name a story's pictures in reading order
    if copies is not None and article.lead_image_id:
        lead = picture_columns(copies, article.lead_image, article.lead_caption, "lead picture")
    row = {
        "headline": article.headline,
        "kicker": article.kicker,
        "genre": article.genre,
        "standfirst": article.standfirst,
        "body": article.body,
        "section": _section_path(article.section),
        "language": article.language,
        "published_at": _iso(article.first_published_at),
        "regions": [r.slug for r in article.regions.all()],
        "actors": [a.slug for a in article.actors.all()],
        "authors": [a.display_name for a in authors],
        "authors_ar": [a.name_ar for a in authors],
        "byline": article.byline,
        "dateline": article.dateline_place.slug if article.dateline_place_id else "",
        "credit": article.credit,
        "source": article.source,
        "source_id": article.source_id or f"newsroom:{article.pk}",
        "source_url": article.source_url,
        "corrections": [correction_row(c) for c in corrections_of(article)],
        "live_updates": [live_update_row(u, copies) for u in live_updates_of(article)],
    }
    return row | lead


def picture_columns(copies, image, caption, what):
    """The `image` columns import reads for a library picture whose file `copies` copies ({} when it cannot)."""
    copied = copies.copy(image, what)
    if not copied:
        return {}
    return {
        "image": copied,
        "image_title": image.title,
        "image_caption": caption,
        "image_credit": image.credit,
        "image_copyright": image.copyright_holder,
        "image_alt": image.alt_text,
        "image_decorative": image.decorative,
    }


PICTURES_FOLDER = "pictures"


@dataclass
class PictureCopies:
    """The library's files of the exported pictures, copied once each into `pictures/` beside the export.

    A file is named as the library names it (its upload's hash), so exports into one folder share their copies,
    and one already there at the library's size is not copied again. Each copy is written beside its name and
    moved into place, so an interrupted export leaves no half picture under a picture's name. A file the library
    cannot read is a problem (`problems`, naming the story and the picture), and the item is written without it.
    """

    folder: Path
    copied: int = 0  # files written (not those already there)
    problems: list = field(default_factory=list)
    story: str = ""  # the story being written, for the problems
    _done: dict = field(default_factory=dict)  # image id: (path relative to the export, or None; why not)

    @classmethod
    def beside(cls, out):
        """Copies for an export written to the file `out`."""
        return cls(Path(out).resolve().parent / PICTURES_FOLDER)

    def copy(self, image, what):
        """The path, relative to the export, of `image`'s copy (made if needed); None, and a problem naming the
        story and the picture, when its file cannot be read."""
        if image.pk not in self._done:
            self._done[image.pk] = self._copy(image)
        path, reason = self._done[image.pk]
        if path is None:
            self.problems.append(f"{self.story}: {what} “{image.title}” ({image.file.name}): cannot copy ({reason})")
        return path

    def _copy(self, image):
        name = posixpath.basename(image.file.name)
        target = self.folder / name
        try:
            if target.is_file() and target.stat().st_size == image.file_size:
                return f"{PICTURES_FOLDER}/{name}", ""
            self.folder.mkdir(exist_ok=True)
            # The library's file is opened first, so one that cannot be read leaves no temporary file behind.
            with (
                image.file.open("rb") as source,
                tempfile.NamedTemporaryFile(dir=self.folder, delete=False, suffix=".part") as handle,
            ):
                try:
                    shutil.copyfileobj(source, handle, 1 << 20)
                except BaseException:
                    handle.close()
                    os.unlink(handle.name)
                    raise
            _as_created(handle.name)
            os.replace(handle.name, target)
        except OSError as error:
            return None, getattr(error, "strerror", None) or str(error)
        self.copied += 1
        return f"{PICTURES_FOLDER}/{name}", ""


def write_export(out, format, chunk_size=500, only=ExportFilter(), copies=None):
    """Write the public articles `only` names to the file `out` in `format` ("ninjs" or "jsonl"); returns how many.
    With `copies` (`PictureCopies.beside(out)`), their pictures' files are copied beside it and named in the items.

    The file is written beside its final name and moved into place at the end, so a failed export never
    leaves half a file.
    """
    if format not in FORMATS:
        raise ValueError(f"unknown export format {format!r}")
    directory = os.path.dirname(os.path.abspath(out))
    count = 0
    with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=directory, delete=False, suffix=".part") as handle:
        try:
            if format == "ninjs":
                handle.write("[")
            for article in public_articles(only).iterator(chunk_size=chunk_size):
                if copies is not None:
                    copies.story = f"story {article.pk} “{article.headline}”"
                if format == "ninjs":
                    handle.write(",\n" if count else "\n")
                    handle.write(json.dumps(ninjs_item(article, copies), ensure_ascii=False))
                else:
                    handle.write(json.dumps(jsonl_row(article, copies), ensure_ascii=False) + "\n")
                count += 1
            if format == "ninjs":
                handle.write("\n]\n")
        except BaseException:
            os.unlink(handle.name)
            raise
    _as_created(handle.name)
    os.replace(handle.name, out)
    return count


def _as_created(path):
    """Give a file written through a temporary one (private: mode 0600) the mode `open` would have given it, so the
    export can be read by whom the umask allows (a partner's pickup account, the web server serving it)."""
    mask = os.umask(0)
    os.umask(mask)
    os.chmod(path, 0o666 & ~mask)
