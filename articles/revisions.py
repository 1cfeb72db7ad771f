"""What a revision holds and how it goes back into an article.

A revision's `content` is a JSON object of the article's editable content: the text fields, the ids of its
section, dateline place, authors (in byline order), regions and actors (by id), the stories chosen to lead its
related box (`see_also`, in the desk's order), and its times as ISO strings.
`snapshot(article)` reads it from a saved article (`snapshots(articles)` from many at once, as the importer
does); `content_from_values(values)` builds it from form values; `apply_content` writes one back onto an
article (scalar fields in memory, relations with `set_relations`).
"""

from collections import defaultdict
from datetime import datetime

from django.db import models
from django.utils.translation import gettext_lazy

from articles.models import (
    Actor,
    Article,
    ArticleActor,
    ArticleGenre,
    ArticleRegion,
    ArticleRevision,
    Author,
    Byline,
    Image,
    Region,
    Section,
    SeeAlso,
)
from articles.models.fields import sanitise_html

# The note of the revision that keeps a story's state as it was before its first recorded change (a desk
# edit or an imported update): stories imported or made before revisions existed have none until then.
FIRST_RECORDED = gettext_lazy("as first recorded")


def imported_as_is(article):
    """True when the article's current version is the one the importer wrote (nobody has saved it since), so
    the revision that first records it is the importer's."""
    return article.imported_version is not None and article.imported_version == article.version


TEXT_FIELDS = (
    "language",
    "genre",
    "kicker",
    "headline",
    "slug",
    "standfirst",
    "body",
    "byline",
    "credit",
    "source",
    "source_id",
    "source_url",
    "lead_image_caption",
)
FOREIGN_KEYS = {"section": Section, "dateline_place": Region, "lead_image": Image}
MANY = {"authors": Author, "regions": Region, "actors": Actor, "see_also": Article}
# Relations whose order is part of the content: the byline's, lead writer first; the related box's.
ORDERED = frozenset({"authors", "see_also"})
TIMES = ("dateline_time", "embargo_until")
CONTENT_FIELDS = (*TEXT_FIELDS, *FOREIGN_KEYS, *MANY, *TIMES)
# Text fields holding one of a few choices: compared by their labels, never empty.
CHOICES = {"genre": ArticleGenre}
# Content fields that came after revisions did, with the value every story had then: a revision saved before
# a field existed holds that value (`complete`), so restoring or comparing it does not leave the field out.
LATER_FIELDS = {"genre": ArticleGenre.NEWS, "see_also": []}


def _ids(values, ordered=False):
    """The ids of `values` (instances or ids), each once: in the order given when `ordered`, else sorted."""
    ids = dict.fromkeys(v.pk if isinstance(v, models.Model) else int(v) for v in values or ())
    return list(ids) if ordered else sorted(ids)


def _json_value(name, value):
    if name in CHOICES:
        return value or LATER_FIELDS.get(name, "")
    if name in TEXT_FIELDS:
        value = value or ""
        return sanitise_html(value) if name == "body" else value
    if name in FOREIGN_KEYS:
        return value.pk if isinstance(value, models.Model) else value
    if name in MANY:
        return _ids(value, ordered=name in ORDERED)
    return value.isoformat() if isinstance(value, datetime) else value


def complete(content):
    """A stored revision's `content` with the fields added since it was saved (`LATER_FIELDS`), as it then was."""
    return {**LATER_FIELDS, **content}


def content_from_values(values):
    """The content fields found in `values` (form cleaned_data or a dict), in their JSON form."""
    return {name: _json_value(name, values[name]) for name in CONTENT_FIELDS if name in values}


def snapshot(article):
    """The content of a saved article as stored in a revision (four queries: its authors, regions, actors and the
    stories chosen for its related box)."""
    return snapshots([article])[article.pk]


def snapshots(articles):
    """{pk: content} of saved articles (loaded with their content fields), as `snapshot` gives each, in four
    queries whatever their number: their authors in byline order, their regions, their actors and the stories
    chosen for their related box in its order."""
    ids = [article.pk for article in articles]
    links = {name: defaultdict(list) for name in MANY}
    bylines = Byline.objects.filter(article_id__in=ids).order_by("article_id", "position", "author_id")
    for name, rows in (
        ("authors", bylines.values_list("article_id", "author_id")),
        ("regions", ArticleRegion.objects.filter(content_object_id__in=ids).values_list("content_object_id", "tag_id")),
        ("actors", ArticleActor.objects.filter(content_object_id__in=ids).values_list("content_object_id", "tag_id")),
        (
            "see_also",
            SeeAlso.objects.filter(article_id__in=ids)
            .order_by("article_id", "position")
            .values_list("article_id", "story_id"),
        ),  # fmt: skip
    ):
        for article_id, tag_id in rows:
            links[name][article_id].append(tag_id)
    contents = {}
    for article in articles:
        values = {name: getattr(article, name) for name in (*TEXT_FIELDS, *TIMES)}
        values.update({name: getattr(article, f"{name}_id") for name in FOREIGN_KEYS})
        values.update({name: links[name][article.pk] for name in MANY})
        contents[article.pk] = content_from_values(values)
    return contents


def _time(value):
    return datetime.fromisoformat(value) if value else None


def apply_content(article, content):
    """Put `content` onto `article` in memory; returns the changed scalar fields as {attname: value}.

    Relations are not touched here (see `set_relations`); a section or place deleted since the revision
    was saved is left empty rather than pointing at nothing.
    """
    fields = {}
    for name in TEXT_FIELDS:
        if name in content:
            fields[name] = content[name]
    for name in TIMES:
        if name in content:
            fields[name] = _time(content[name])
    for name, model in FOREIGN_KEYS.items():
        if name in content:
            pk = content[name]
            fields[f"{name}_id"] = pk if pk and model.objects.filter(pk=pk).exists() else None
    for attname, value in fields.items():
        setattr(article, attname, value)
    return fields


def set_relations(article, content):
    """Set the article's authors (in their order), regions, actors and chosen related stories (in their order) to
    those in `content` that still exist."""
    for name, model in MANY.items():
        if name not in content:
            continue
        if name in ORDERED:
            existing = set(model.objects.filter(pk__in=content[name]).values_list("pk", flat=True))
            write = article.set_authors if name == "authors" else article.set_see_also
            write([pk for pk in content[name] if pk in existing])
        else:
            getattr(article, name).set(list(model.objects.filter(pk__in=content[name])))


def as_form_initial(content):
    """`content` as initial values for the article form (ids for relations, datetimes for times)."""
    initial = {name: content[name] for name in (*TEXT_FIELDS, *FOREIGN_KEYS, *MANY) if name in content}
    initial.update({name: _time(content[name]) for name in TIMES if name in content})
    return initial


def in_memory(article, content):
    """A copy of `article` showing `content`, relations included, for previews; nothing is saved."""
    content = complete(content)
    copy = Article.objects.select_related("section", "dateline_place").get(pk=article.pk)
    apply_content(copy, content)
    copy._prefetched_objects_cache = {
        name: model.objects.filter(pk__in=content.get(name, [])).order_by("pk") for name, model in MANY.items()
    }
    for name, queryset in copy._prefetched_objects_cache.items():
        list(queryset)  # evaluate now so the template reads the cache
        if name in ORDERED:  # in the content's order (the cache answers .all() without a query)
            place = {pk: n for n, pk in enumerate(content.get(name, []))}
            queryset._result_cache.sort(key=lambda entry: place[entry.pk])
    if "section" in content:
        copy.section = Section.objects.filter(pk=content["section"]).first()
    if "dateline_place" in content:
        copy.dateline_place = Region.objects.filter(pk=content["dateline_place"]).first()
    return copy


def pending_revision(article):
    """The edit of a live story waiting for "publish update", or None."""
    return article.revisions.filter(state=ArticleRevision.State.PENDING).select_related("created_by").first()


def apply_pending(locked):
    """For workflow.publish_update only: put the pending revision into the locked article row.

    Sets the relations, marks the revision applied and returns the changed scalar fields for the workflow to
    save ({} when nothing is pending).
    """
    pending = pending_revision(locked)
    if pending is None:
        return {}
    fields = apply_content(locked, pending.content)
    set_relations(locked, pending.content)
    pending.state = ArticleRevision.State.APPLIED
    pending.save(update_fields=["state"])
    return fields
