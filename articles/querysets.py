"""Facts about many articles: what is public, what is about a place or an actor, what a list needs."""

import datetime
import json

from django.conf import settings
from django.db import models
from django.db.models.expressions import OrderByList
from django.db.models.functions import Coalesce, Greatest, JSONArray
from django.db.models.query import ModelIterable
from django.utils import timezone

from articles.models.taxonomy import ArticleActor, ArticleRegion, Region

# When a story became public: its first publication, or (before publish_due records it) its scheduled time.
PUBLIC_TIME = Coalesce("first_published_at", "scheduled_for")
# When a story last had news for readers: its public time, or a live blog's newest update when later. Search
# finds and orders its matches by it (a live blog started weeks ago and updated today is today's news); lists
# keep the public time, which their index serves.
ACTIVITY_TIME = Greatest(PUBLIC_TIME, Coalesce("last_live_update_at", PUBLIC_TIME))


# Rendition columns carried, per row, in the row of what shows the picture (see `with_picture`).
RENDITION_COLUMNS = ("pk", "spec", "file", "width", "height", "file_size")


class JSONRows(models.Aggregate):
    """The aggregated rows as one JSON array, returned as text: SQLite's json_group_array, PostgreSQL's json_agg.

    Also SQLite's aggregate over a window (`OrderedJSONRows`); PostgreSQL orders inside json_agg instead."""

    function = "JSON_GROUP_ARRAY"
    output_field = models.TextField()
    window_compatible = True

    def as_postgresql(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, function="JSON_AGG", template="%(function)s(%(expressions)s)::text")


class OrderedJSONRows(models.Expression):
    """The query's rows as one JSON array in `order_by` order, as text: NULL when there are none.

    For a correlated subquery that carries a story's linked rows in the story's own row, with no GROUP BY.
    PostgreSQL aggregates with json_agg(… ORDER BY …); SQLite before 3.44 has no ORDER BY in an aggregate,
    so there it is json_group_array over a window in that order (a window's aggregate takes its rows in the
    window's order), and the subquery keeps one row of it (LIMIT 1). On PostgreSQL the window's plan cost
    about 0.15 ms more to make and 0.15 ms more to run on the article page's story.
    """

    output_field = models.TextField()

    def __init__(self, row, order_by):
        super().__init__()
        self.row, self.order_by = row, OrderByList(*order_by)  # names, "-name" for descending, expressions

    def get_source_expressions(self):
        return [self.row, self.order_by]

    def set_source_expressions(self, exprs):
        self.row, self.order_by = exprs

    def as_sql(self, compiler, connection):
        order_by, whole = self.order_by.get_source_expressions(), models.RowRange(start=None, end=None)
        return compiler.compile(models.Window(JSONRows(self.row), order_by=order_by, frame=whole))

    def as_postgresql(self, compiler, connection):
        row_sql, row_params = compiler.compile(self.row)
        order_sql, order_params = compiler.compile(self.order_by)
        return f"JSON_AGG({row_sql} {order_sql})::text", (*row_params, *order_params)


_PICTURE_ITERABLES = {}


def _picture_iterable(field):
    """A ModelIterable whose rows arrive with the picture in `field` and its renditions already known (as a
    prefetch would leave them), from the JSON column `with_picture` adds; one class per field, made once."""
    known = _PICTURE_ITERABLES.get(field)
    if known is not None:
        return known

    class PictureIterable(ModelIterable):
        def __iter__(self):
            for row in super().__iter__():
                rows = row.__dict__.pop(f"{field}_renditions", None)
                if getattr(row, f"{field}_id") and rows is not None:
                    image = getattr(row, field)
                    model = image.renditions.model
                    renditions = [
                        model(image=image, **dict(zip(RENDITION_COLUMNS, item, strict=True)))
                        for item in json.loads(rows)
                    ]
                    remember_renditions(image, renditions)
                yield row

    PictureIterable.__name__ = PictureIterable.__qualname__ = f"PictureIterable_{field}"
    return _PICTURE_ITERABLES.setdefault(field, PictureIterable)


def with_picture(queryset, field):
    """`queryset` loading the library picture in the foreign key `field` and its existing renditions in its own
    query (no extra query): the picture by a join, the renditions as a JSON column of a correlated subquery.

    A prefetch of `<field>__renditions` would cost one more query, and only when some row has a picture;
    carrying the renditions in the row keeps a page at the same count with or without pictures. The picture
    tags then read them as prefetched."""
    rendition = queryset.model._meta.get_field(field).related_model._meta.get_field("renditions").related_model
    rows = (
        rendition.objects.filter(image=models.OuterRef(f"{field}_id"))
        .order_by()
        .values("image")
        .annotate(rows=JSONRows(JSONArray(*RENDITION_COLUMNS)))
        .values("rows")
    )
    clone = queryset.select_related(field).annotate(**{f"{field}_renditions": models.Subquery(rows)})
    clone._iterable_class = _picture_iterable(field)
    return clone


def remember_renditions(image, renditions):
    """Make `image.renditions.all()` answer `renditions` without a query, exactly as prefetch_related would."""
    known = image.renditions.all()
    known._result_cache, known._prefetch_done = list(renditions), True
    if not hasattr(image, "_prefetched_objects_cache"):
        image._prefetched_objects_cache = {}
    image._prefetched_objects_cache["renditions"] = known


class ArticleQuerySet(models.QuerySet):
    """Article queries that read as sentences: `Article.objects.published().for_region(syria)`."""

    def published(self, at=None):
        """The one definition of what readers may see at time `at` (default: now).

        Published articles, and scheduled ones whose time has come (so visibility never waits for a cron
        run), in both cases only once any embargo has passed.
        """
        now = at or timezone.now()
        status = self.model.Status
        live = models.Q(status=status.PUBLISHED) | models.Q(status=status.SCHEDULED, scheduled_for__lte=now)
        not_embargoed = models.Q(embargo_until__isnull=True) | models.Q(embargo_until__lte=now)
        return self.filter(live & not_embargoed)

    def newest_first(self):
        """Newest public time first: the first publication, or the scheduled time of a story live by schedule.

        The ordering expression matches the `article_language_public_time` index.
        """
        return self.alias(public_at=PUBLIC_TIME).order_by(models.F("public_at").desc(), "-pk")

    def latest_activity_first(self):
        """Newest news first (`ACTIVITY_TIME`: a live blog by its newest update), then the highest id: how search
        orders its matches, which it reads from the search index rather than in this order."""
        return self.alias(active_at=ACTIVITY_TIME).order_by(models.F("active_at").desc(), "-pk")

    def public_since(self, moment):
        """Stories whose public time is at or after `moment`."""
        return self.alias(public_at=PUBLIC_TIME).filter(public_at__gte=moment)

    def public_before(self, moment):
        """Stories whose public time is before `moment`."""
        return self.alias(public_at=PUBLIC_TIME).filter(public_at__lt=moment)

    def for_region(self, region):
        """Articles tagged with `region` or any place inside it (Baghouz stories are Syria stories)."""
        places = Region.objects.descendants_of(region)
        return self.filter(pk__in=ArticleRegion.objects.filter(tag__in=places).values("content_object_id"))

    def for_actor(self, actor):
        """Articles tagged with `actor`."""
        return self.filter(pk__in=ArticleActor.objects.filter(tag=actor).values("content_object_id"))

    def by_author(self, author):
        """Articles whose byline names `author` (an Author or its id), and live blogs with an update readers see
        that carries their byline (`LiveUpdate.author`): a stringer who writes only updates has stories too."""
        from articles.models.live import LiveUpdate  # live.py imports the models this module serves

        bylines = self.model.authors.through.objects.filter(author=author).values("article_id")
        updates = LiveUpdate.objects.shown().filter(author=author).order_by().values("article_id")
        return self.filter(pk__in=bylines.order_by().union(updates))

    def tagged_with_any(self, regions=(), actors=()):
        """Articles tagged directly with any of `regions` or any of `actors` (lists or querysets)."""
        region_links = ArticleRegion.objects.filter(tag__in=regions).values("content_object_id")
        actor_links = ArticleActor.objects.filter(tag__in=actors).values("content_object_id")
        return self.filter(models.Q(pk__in=region_links) | models.Q(pk__in=actor_links))

    def in_section(self, section, include_subsections=True):
        """Articles filed in `section` and, by default, in its subsections."""
        if not include_subsections:
            return self.filter(section=section)
        return self.filter(models.Q(section=section) | models.Q(section__parent=section))

    def in_language(self, language):
        """Articles written in `language` ("en" or "ar")."""
        return self.filter(language=language)

    def bulk_update(self, objs, fields, batch_size=None):
        """Django's bulk_update, which also rewrites the search document when a text field is among `fields`."""
        field = self.model._meta.get_field("search_document")
        fields = list(fields)
        if field.source_fields & set(fields) and "search_document" not in fields:
            objs = list(objs)
            for obj in objs:
                obj.search_document = field.document_for(obj)
            fields.append("search_document")
        return super().bulk_update(objs, fields, batch_size=batch_size)

    def refresh_search(self, batch_size=500):
        """Rewrite the search document of every article in this queryset (after a raw `update()` of text)."""
        field = self.model._meta.get_field("search_document")
        names = sorted(field.source_fields)
        done, last_pk = 0, 0
        while batch := list(self.filter(pk__gt=last_pk).order_by("pk").only(*names)[:batch_size]):
            for obj in batch:
                obj.search_document = field.document_for(obj)
            self.model.objects.bulk_update(batch, ["search_document"])
            done, last_pk = done + len(batch), batch[-1].pk
            if len(batch) < batch_size:  # the last batch: no need to read that there is no more
                break
        return done

    def with_list_relations(self):
        """Load what a list of articles shows (section, regions, actors, authors) in a fixed number of queries."""
        return self.select_related("section").prefetch_related("regions", "actors", "authors")

    def with_lead_image(self):
        """Load each story's lead picture and its existing renditions in the stories' own query (no extra query,
        `with_picture`): every list and the article page run the same count with or without pictures."""
        return with_picture(self, "lead_image")

    def live_now(self):
        """Stories whose latest live news (their newest update, or the desk's start of their coverage) is under
        NEWSROOM_LIVE_FOLLOW_HOURS old and whose coverage the desk has not ended since (`Article.is_live`), the
        latest first: read from the `article_live_updated` and `article_live_started` indexes."""
        since = timezone.now() - datetime.timedelta(hours=settings.NEWSROOM_LIVE_FOLLOW_HOURS)
        update, started = models.F("last_live_update_at"), models.F("live_started_at")
        latest = Greatest(Coalesce(update, started), Coalesce(started, update))  # GREATEST of a NULL: see notes.py
        recent = models.Q(last_live_update_at__gte=since) | models.Q(live_started_at__gte=since)
        going_on = models.Q(live_ended_at__isnull=True) | models.Q(live_ended_at__lt=latest)
        return self.alias(live_since=latest).filter(recent, going_on).order_by(models.F("live_since").desc(), "-pk")

    def owned_by(self, user):
        """Articles `user` created or is a staff author of (their own stories, for the desk)."""
        bylines = self.model.authors.through.objects.filter(author__user=user).values("article_id")
        return self.filter(models.Q(created_by=user) | models.Q(pk__in=bylines))

    def with_last_move(self):
        """Annotate each article with its latest workflow move, its note and when, in the same query.

        `last_move`, `last_note`, `last_moved_at`: how the desk shows why a draft came back.
        """
        events = self.model._meta.get_field("events").related_model
        latest = events.objects.filter(article=models.OuterRef("pk")).order_by("-created_at", "-pk")
        return self.annotate(
            last_move=models.Subquery(latest.values("action")[:1]),
            last_note=models.Subquery(latest.values("note")[:1]),
            last_moved_at=models.Subquery(latest.values("created_at")[:1]),
        )

    def with_pending_update(self):
        """Live articles with an edit waiting for "publish update"."""
        return self.filter(revisions__state="pending")


class AuthorQuerySet(models.QuerySet):
    """Author queries: `Author.objects.with_photo().filter(slug=…)`."""

    def with_photo(self):
        """Load each author's photo and its existing renditions in the authors' own query (`with_picture`), so
        an author page runs the same count with or without one."""
        return with_picture(self, "photo")


class CorrectionQuerySet(models.QuerySet):
    """Facts about many public notes (corrections, clarifications, updates, retractions)."""

    def public(self, at=None):
        """Notes on the stories readers may see (`ArticleQuerySet.published`): a story's notes are public
        exactly while the story is, so a withdrawn or embargoed story's notes do not show either."""
        stories = self.model._meta.get_field("article").related_model.objects.published(at=at)
        return self.filter(article__in=stories.values("pk"))

    def in_language(self, language):
        """Notes on stories written in `language` (an edition lists its own stories' notes)."""
        return self.filter(article__language=language)

    def newest_first(self):
        """The latest note first (the article page lists a story's own notes oldest first)."""
        return self.order_by("-created_at", "-pk")

    def for_lists(self):
        """With what a list of notes shows of each story (headline and address), in the notes' own query."""
        story = ("article__headline", "article__slug", "article__language")
        return self.select_related("article").only("kind", "text", "created_at", "article", *story)
