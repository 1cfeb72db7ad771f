"""Public pages. Every list starts from `Article.objects.published()`.

The site has two editions: English at unprefixed addresses and Arabic under /ar/ (i18n_patterns). The
interface language follows the address, and each edition lists the stories written in its language. A
story lives in its own language's edition: asking for an Arabic story at an English address (or for an
old slug) answers 301 to its one canonical address.
"""

import itertools
import json
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import NamedTuple

from django.core.paginator import Paginator
from django.db import connection, models
from django.db.models.functions import JSONArray
from django.http import Http404, HttpResponsePermanentRedirect
from django.shortcuts import render
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.functional import cached_property
from django.utils.translation import get_language

from articles import search as site_search
from articles import structured_data
from articles.caching import (
    cached_fragments,
    keep_until,
    public_page,
    read_along,
    set_last_modified,
    shows_stories,
    stories_fragment_timeout,
)
from articles.context_processors import masthead_fragment
from articles.images import profile_specs, renditions_for, standard_specs
from articles.models import SEE_ALSO_LIMIT, Actor, Article, Author, Correction, Region, Section
from articles.prepared import PreparedQuery, padded
from articles.querysets import PUBLIC_TIME, OrderedJSONRows, remember_renditions

PAGE_SIZE = 20
LIST_DEPTH = 2000
TOP_STORIES = 5
PER_SECTION = 4
# The home page's "latest by section" looks at this many most recent stories (one bounded query).
HOME_WINDOW = 300
RELATED_STORIES = 5
# Related stories are ranked among the most recent stories sharing a tag (keeps the query bounded).
RELATED_CANDIDATES = 120


def edition_at(language, now):
    """The public stories of the edition in `language` at `now` (the interface language, for lists)."""
    return Article.objects.published(at=now).in_language(language)


def for_lists(articles):
    """What a list of stories shows besides authors (`remember_authors`), in the stories' own query."""
    return articles.defer("body", "search_document").select_related("section").with_lead_image()


# The links of up to ten stories to their authors, in the order `article.authors.all()` gives them.
BYLINES = PreparedQuery(
    lambda ids: (
        Article.authors.through.objects.filter(article_id__in=ids)
        .select_related("author")
        .order_by("position", "author_id")
    )
)


def remember_authors(articles):
    """Give each story its authors as prefetch_related("authors") would (one query, none without stories)."""
    if not articles:
        return articles
    by_article = {}
    for link in BYLINES(ids=padded([article.pk for article in articles], 10)):
        by_article.setdefault(link.article_id, []).append(link.author)
    for article in articles:
        _remember(article, "authors", by_article.get(article.pk, []))
    return articles


class StoryList:
    """The prepared queries of one kind of list (a place's stories, an author's …), newest first, page by page.

    `build(language, now, **values)` gives the list's public stories; lists reach back LIST_DEPTH stories
    (100 pages), older ones are found with search and its date filters, so a list of 50,000 is never counted.
    """

    def __init__(self, build):
        self.build = build
        self.ids = PreparedQuery(lambda **values: build(**values).newest_first().values("pk")[:LIST_DEPTH])
        self.pages = {}

    def rows(self, bottom, top, values):
        """The stories from `bottom` to `top` (as a slice) with what a list shows of them."""
        query = self.pages.get((bottom, top))
        if query is None:
            query = self.pages[(bottom, top)] = PreparedQuery(
                lambda **v: for_lists(self.build(**v).newest_first())[bottom:top]
            )
        return remember_authors(list(query(**values)))


class StoryPaginator(Paginator):
    """Pages of a `StoryList` for some values; counting and each page run prepared queries."""

    def __init__(self, stories, values):
        super().__init__([], PAGE_SIZE)
        self.stories, self.values = stories, values

    @cached_property
    def count(self):
        return self.stories.ids.count(**self.values)

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        return self._get_page(self.stories.rows(bottom, bottom + self.per_page, self.values), number, self)


def _list_page(request, template, stories, values, context):
    values = {"language": get_language(), "now": timezone.now(), **values}
    page = StoryPaginator(stories, values).get_page(request.GET.get("page"))
    return render(request, template, {**context, "page": page, "articles": list(page.object_list)})


def _top_stories(language, now):
    """The edition's top stories: those a publisher put at the top of the front page (`workflow.feature`),
    newest first, then the newest stories; chosen among the TOP_STORIES newest of each kind (one query)."""
    edition = edition_at(language, now)
    # "Not null" as written, so that a plan made once for any time (a prepared statement's generic plan) still
    # knows these are the few rows of the `article_featured` index, not a third of the edition to walk.
    featured = edition.filter(featured_until__isnull=False, featured_until__gt=now)
    featured = featured.newest_first().values("pk")[:TOP_STORIES]
    newest = edition.newest_first().values("pk")[:TOP_STORIES]
    if connection.features.supports_slicing_ordering_in_compound:
        # PostgreSQL: one small set of ids (at most twice TOP_STORIES) found through the indexes, then the rows.
        chosen = edition.filter(pk__in=featured.union(newest, all=True))
    else:  # SQLite cannot limit the parts of a UNION
        chosen = edition.filter(models.Q(pk__in=featured) | models.Q(pk__in=newest))
    leads = models.Case(models.When(featured_until__gt=now, then=models.Value(1)), default=models.Value(0))
    chosen = chosen.alias(leads=leads, public_at=PUBLIC_TIME)
    return for_lists(chosen).order_by("-leads", "-public_at", "-pk")[:TOP_STORIES]


def _latest_by_section(language, now, top_ids):
    """Up to PER_SECTION stories per top-level section among the HOME_WINDOW newest, leaving out the top ones."""
    recent = edition_at(language, now).newest_first().values("pk")[:HOME_WINDOW]
    ranked = (
        edition_at(language, now)
        .filter(pk__in=recent, section__isnull=False)
        .exclude(pk__in=top_ids)
        .annotate(
            desk=models.functions.Coalesce("section__parent_id", "section_id"),
            place=models.Window(
                models.functions.RowNumber(),
                partition_by=models.functions.Coalesce("section__parent_id", "section_id"),
                order_by=[PUBLIC_TIME.desc(), models.F("pk").desc()],
            ),
        )
        .filter(place__lte=PER_SECTION)
    )
    # The chosen stories are loaded by id, so their pictures are looked up for them only, not for the window.
    chosen = edition_at(language, now).filter(pk__in=ranked.values("pk"))
    chosen = chosen.annotate(desk=models.functions.Coalesce("section__parent_id", "section_id"))
    return for_lists(chosen).newest_first()


TOP_STORIES_QUERY = PreparedQuery(_top_stories)
LATEST_BY_SECTION = PreparedQuery(_latest_by_section)
DESKS = PreparedQuery(lambda: Section.objects.filter(parent__isnull=True))


@public_page
def home(request):
    """The edition's front page: top stories, then the latest stories of each section."""
    language, now = get_language(), timezone.now()
    top = remember_authors(list(TOP_STORIES_QUERY(language=language, now=now)))
    by_desk = {}
    latest = remember_authors(list(LATEST_BY_SECTION(language=language, now=now, top_ids=[a.pk for a in top])))
    for article in latest:
        by_desk.setdefault(article.desk, []).append(article)
    sections = [(s, by_desk[s.pk]) for s in DESKS() if s.pk in by_desk]
    # The page changes when a story's time at the top runs out, with no event to purge it.
    leading = [a.featured_until for a in top if a.is_featured]
    keep_until(request, min(leading, default=None))
    return render(request, "articles/home.html", {"top": top, "sections": sections})


CORRECTION_COLUMNS = ("pk", "kind", "text", "created_at")


def _corrections_rows():
    """The story's corrections as one JSON column of its row, oldest first as `article.corrections.all()` orders
    them (most stories have none: NULL)."""
    rows = Correction.objects.filter(article=models.OuterRef("pk")).order_by()
    ordered = OrderedJSONRows(JSONArray(*CORRECTION_COLUMNS), order_by=["created_at", "pk"])
    return models.Subquery(rows.values(rows=ordered)[:1])


def _corrections(article):
    """`article`'s corrections from its row's JSON column, in the column's order."""
    corrections = []
    for pk, kind, text, created_at in json.loads(article.__dict__.pop("corrections_rows") or "[]"):
        created_at = parse_datetime(created_at)
        if timezone.is_naive(created_at):  # SQLite keeps UTC times without an offset
            created_at = timezone.make_aware(created_at, UTC)
        corrections.append(Correction(pk=pk, article=article, kind=kind, text=text, created_at=created_at))
    return corrections


class StoryLink(NamedTuple):
    """How the story's row carries one of its many-to-many relations (see `_linked_rows`)."""

    through: type  # the link model
    to_story: str  # its foreign key to the story
    to_entry: str  # its foreign key to the linked entry
    model: type  # the linked entries' model
    columns: tuple  # what is read of them, in the model's field order (`Model.from_db` takes them so)
    order: tuple  # the link rows' order, as `article.<name>.all()` orders them (then the entry's id)


def _story_link(name, to_story, to_entry, fields, order):
    through = getattr(Article, name).through
    model = through._meta.get_field(to_entry).related_model
    columns = tuple(field.attname for field in model._meta.concrete_fields if field.attname in fields)
    return StoryLink(through, to_story, to_entry, model, columns, order)


# What the article page reads of the places, actors and authors a story is linked to (the templates, the
# structured data, `get_absolute_url`, `local_name`; other fields are deferred, as with `.only()`), and the
# order `article.<name>.all()` gives them in: places and actors as they were tagged (the link rows' order),
# authors in byline order (the links' position); of the stories the desk chose for the related box only their
# ids, in the desk's order (`related_articles` loads the public ones with the ranked ones).
STORY_LINK_ROWS = {
    "regions": _story_link(
        "regions", "content_object", "tag", {"id", "slug", "name", "name_ar", "kind", "parent_id"}, ["pk"]
    ),
    "actors": _story_link(
        "actors", "content_object", "tag", {"id", "slug", "name", "name_ar", "kind", "home_region_id"}, ["pk"]
    ),
    "authors": _story_link(
        "authors",
        "article",
        "author",
        {"id", "display_name", "name_ar", "slug", "user_id", "job_title", "job_title_ar"},
        ["position"],
    ),
    "see_also": _story_link("see_also", "article", "story", {"id"}, ["position"]),
}


def _linked_rows(name):
    """The entries linked to the outer story by `name`, in order, as one JSON column (NULL when there are none)."""
    link = STORY_LINK_ROWS[name]
    entry = link.to_entry
    # One JSON array per link row; the entry's id is the link's own column.
    row = JSONArray(*(f"{entry}_id" if column == "id" else f"{entry}__{column}" for column in link.columns))
    links = link.through.objects.filter(**{link.to_story: models.OuterRef("pk")}).order_by()
    return models.Subquery(links.values(rows=OrderedJSONRows(row, order_by=[*link.order, f"{entry}_id"]))[:1])


def _public_story(pk, now):
    """The public story `pk` with everything its page shows in the same row: section, dateline place, picture,
    translation, corrections, places, actors, authors and the ids of the stories chosen for its related box."""
    translation = Article.objects.published(at=now).filter(translation_group=models.OuterRef("translation_group"))
    translation = translation.exclude(pk=models.OuterRef("pk")).order_by("language")
    return (
        Article.objects.published(at=now)
        .defer("search_document")
        .select_related("section__parent", "dateline_place")
        .with_lead_image()
        .annotate(
            # One subquery for the three (PostgreSQL plans the story's query on every request).
            translation_row=models.Subquery(translation.values(row=JSONArray("pk", "slug", "language"))[:1]),
            corrections_rows=_corrections_rows(),
            **{f"{name}_rows": _linked_rows(name) for name in STORY_LINK_ROWS},
        )
        .filter(pk=pk)
        .order_by()[:1]
    )


# The article page's queries, compiled once per process (articles/prepared.py): the story, with what it is
# linked to and its corrections in its own row, then the related stories. The querysets below are never run
# for the page: they hold the rows from the story's row, as prefetch_related would (refining one runs it).
PUBLIC_STORY = PreparedQuery(_public_story)
STORY_LINKS = {
    **{name: PreparedQuery(lambda pk, name=name: getattr(Article(pk=pk), name).all()) for name in STORY_LINK_ROWS},
    "corrections": PreparedQuery(lambda pk: Correction.objects.filter(article_id=pk)),
}


def _remember(article, name, rows):
    """Make `article.<name>.all()` answer `rows` (model instances) without a query, as prefetch_related would."""
    known = STORY_LINKS[name](pk=article.pk)
    known._result_cache, known._prefetch_done = rows, True
    article.__dict__.setdefault("_prefetched_objects_cache", {})[name] = known


def _remember_links(article):
    """Rebuild the story's places, actors, authors and chosen related stories from its row's JSON columns
    (`_linked_rows`)."""
    db = article._state.db
    for name, link in STORY_LINK_ROWS.items():
        rows = json.loads(article.__dict__.pop(f"{name}_rows") or "[]")
        _remember(article, name, [link.model.from_db(db, link.columns, row) for row in rows])


def story_or_gone(request, pk):
    """The public story `pk`; a withdrawn one answers 410 with its public reason, anything else 404."""
    article = next(iter(PUBLIC_STORY(pk=pk, now=timezone.now())), None)
    if article is not None:
        translation = article.__dict__.pop("translation_row") or (None, None, None)
        article.translation_pk, article.translation_slug, article.translation_language = translation
        # As prefetch_related would leave them: `article.regions.all()` answers without a query.
        _remember_links(article)
        _remember(article, "corrections", _corrections(article))
        return article, None
    return None, gone(request, pk)


def misaddressed(article, slug):
    """Whether a public story was asked for at an old slug or in the other edition: each of its pages (the story,
    its older updates, its feeds) then answers 301 to the same page at the story's address."""
    return slug != article.slug or get_language() != article.language


def gone(request, pk):
    """The answer for a story `pk` that is not public: 410 with its public reason when it was withdrawn after
    readers had seen it, else 404 (a story cancelled before it went out was never there, so its address tells
    nothing of it). Every page of a story answers so when the story itself does."""
    withdrawn = Article.objects.filter(pk=pk, status=Article.Status.UNPUBLISHED, first_published_at__isnull=False)
    withdrawn = withdrawn.only("headline", "withdrawal_reason")
    withdrawn = withdrawn.first()
    if withdrawn is None:
        raise Http404("No such story.")
    return render(request, "articles/gone.html", {"article": withdrawn}, status=410)


def _newest_by_tag(link_name, kind, language, now, tag_ids):
    """The RELATED_CANDIDATES + 1 newest public stories of the edition carrying each tag: (kind, tag, story,
    public time) rows. "+ 1" because a story looking for related ones is among its own tags' newest."""
    tag = f"{link_name}__tag"
    place = models.Window(models.functions.RowNumber(), partition_by=models.F(tag),
                          order_by=[PUBLIC_TIME.desc(), models.F("pk").desc()])  # fmt: skip
    newest = edition_at(language, now).filter(**{f"{tag}__in": tag_ids}).order_by()
    newest = newest.annotate(kind=models.Value(kind), tag_id=models.F(tag), public_at=PUBLIC_TIME, place=place)
    return newest.filter(place__lte=RELATED_CANDIDATES + 1).values_list("kind", "tag_id", "pk", "public_at")


def _newest_of_tags(language, now, region_ids, actor_ids):
    """`_newest_by_tag` for places and actors in one query (a kind without ids drops out of the UNION).

    Only run when a tag's list is not cached, so it is not a prepared query (whose stand-in ids would be
    out of range for the vocabularies' keys, which empties an IN)."""
    regions = _newest_by_tag("region_links", "region", language, now, region_ids)
    return regions.union(_newest_by_tag("actor_links", "actor", language, now, actor_ids), all=True)


# A story in a tag's list is one integer, its public time (microseconds) and then its id, so that lists are
# cheap to load from the cache and their numbers order stories newest first, as `newest_first()` does.
_ID_BITS = 40
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_ID_MASK = (1 << _ID_BITS) - 1


def _story_number(public_at, pk):
    return ((public_at - _EPOCH) // timedelta(microseconds=1)) << _ID_BITS | pk


def _tag_lists(language, tags):
    """{(kind, tag id): [story number, ...]}: each tag's newest public stories in `language` (`_story_number`).

    `tags` are ("region", id) and ("actor", id) pairs. A tag's list is shared by every story carrying it
    and kept in the cache until any story changes (the listings number moves on, as for the list pages)
    or the next scheduled story or embargo end comes; the missing ones are found in one query.
    """
    names = {f"related:{language}:{kind}:{pk}": (kind, pk) for kind, pk in tags}

    def compute(missing):
        wanted = {"region": [], "actor": []}
        for name in missing:
            kind, pk = names[name]
            wanted[kind].append(pk)
        found = {names[name]: [] for name in missing}
        rows = _newest_of_tags(language, now, wanted["region"], wanted["actor"])
        for kind, pk, story, public_at in rows:
            found[(kind, pk)].append(_story_number(public_at, story))
        return {name: found[names[name]] for name in missing}

    now = timezone.now()
    lists = cached_fragments(list(names), compute, timeout=stories_fragment_timeout, follows_stories=True)
    return {names[name]: stories for name, stories in lists.items()}


def _ranked(article, tags):
    """Story ids of the RELATED_CANDIDATES newest public stories sharing one of `tags` with `article`, those
    sharing most tags first, newest first among equals."""
    shared = Counter(itertools.chain.from_iterable(_tag_lists(article.language, tags).values()))
    pk = article.pk
    for number in [number for number in shared if number & _ID_MASK == pk]:
        del shared[number]  # the story itself
    # A story among the candidates is among the newest of each tag it shares (fewer stories sharing a tag
    # are newer than it), so each of its tags' lists holds it and the counts are exact.
    candidates = sorted(shared, reverse=True)[:RELATED_CANDIDATES]  # newest first (a few hundred numbers)
    # Most shared tags first; the sort is stable, so newest first among equals.
    return [number & _ID_MASK for number in sorted(candidates, key=shared.__getitem__, reverse=True)]


# The related stories to show, loaded by id: the desk's choice (at most SEE_ALSO_LIMIT) and twice as many ranked
# ones as are shown, so a story withdrawn a moment ago (its tags' lists are purged after the move commits) leaves
# no gap. Only what the box shows (headline, address, language, type of work, publication time, whether it is
# live) is loaded.
RELATED_ROWS = PreparedQuery(
    lambda ids, now: (
        Article.objects.published(at=now)
        .filter(pk__in=ids)
        .only(
            "headline",
            "slug",
            "language",
            "genre",
            "status",
            "first_published_at",
            "scheduled_for",
            "last_live_update_at",
            "live_started_at",
            "live_ended_at",
        )
    )
)


def chosen_ids(article):
    """The ids of the stories the desk chose for `article`'s related box, in its order, public or not."""
    return [story.pk for story in article.see_also.all()][:SEE_ALSO_LIMIT]


def related_articles(article, limit=RELATED_STORIES):
    """The stories of `article`'s related box: those the desk chose (`Article.see_also`), in its order, then
    public stories sharing the most places and actors with it, newest first among equals, each once.

    Only public stories show: a chosen story that is not published (a draft, scheduled for later, embargoed,
    withdrawn, spiked) is left out. A chosen story may be in the other edition; ranked ones are of the story's
    own. They are ranked among the RELATED_CANDIDATES newest public stories of the edition sharing a tag with
    it, found from each tag's newest (`_tag_lists`, cached per tag). All are loaded like every reader-facing
    list from `published()`: at most two queries, one when the tags' lists are cached, none without tags or
    chosen stories.
    """
    chosen = chosen_ids(article)
    tags = [("region", r.pk) for r in article.regions.all()] + [("actor", a.pk) for a in article.actors.all()]
    ranked = _ranked(article, list(dict.fromkeys(tags))) if tags else []
    ids = [*chosen, *[pk for pk in ranked if pk not in chosen][: 2 * limit]]
    if not ids:
        return []
    # Padded (repeating an id changes nothing for IN), so one shape serves every story.
    rows = {row.pk: row for row in RELATED_ROWS(ids=padded(ids, SEE_ALSO_LIMIT + 2 * limit), now=timezone.now())}
    return [rows[pk] for pk in ids if pk in rows][:limit]


def article_page_context(article):
    """What the article template needs besides the story; the public page and the staff preview share it."""
    translation = None
    if getattr(article, "translation_pk", None):
        translation = Article(pk=article.translation_pk, slug=article.translation_slug)
        translation.language = article.translation_language
    first, last = article.published_time, article.last_published_at
    if article.lead_image_id:
        # Everything the page and its feeds show of the picture, made in one batch on the first view only;
        # later views find every rendition already loaded with the story (`with_lead_image`).
        renditions_for(article.lead_image, standard_specs(article.lead_image))
    return {
        "article": article,
        "summary": structured_data.description(article),
        "reading_time": article.reading_time,
        "related": related_articles(article) if article.pk else [],
        "translation": translation,
        # An update counts once it is a minute or more after first publication (publishing sets both).
        "updated_at": last if last and first and (last - first).total_seconds() >= 60 else None,
    }


@public_page
def article_detail(request, pk, slug):
    """One public story at its canonical address; 301 from an old slug or the other edition, 410 if withdrawn."""
    article, gone = story_or_gone(request, pk)
    if gone:
        return gone
    if misaddressed(article, slug):
        return moved_to(request, article.get_absolute_url())
    # The menu and breaking news the page shows are read with the related stories' lists: one cache round trip.
    with read_along(masthead_fragment(article.language)):
        context = article_page_context(article)
        # The page lists no stories but these, so only a change to one of them purges it (articles/caching.py).
        # Every story the desk chose counts, shown or not: one published later must then appear in the box.
        shown = [article.pk, getattr(article, "translation_pk", None), *(r.pk for r in context["related"])]
        shown += chosen_ids(article)
        shows_stories(request, shown)
        response = render(request, "articles/article_detail.html", context)
    return set_last_modified(response, article.modified_time)


_BY_SLUG = {
    model: PreparedQuery(lambda slug, model=model: model.objects.filter(slug=slug).order_by()[:1])
    for model in (Region, Actor)
}


def moved_to(request, address):
    """301 to `address` keeping the request's query string: a reader following an old slug or an alias to page 2
    of a list lands on page 2, and a campaign's tags reach the canonical address."""
    query = request.META.get("QUERY_STRING", "")
    if not query:
        return HttpResponsePermanentRedirect(address)
    path, hash_mark, fragment = address.partition("#")
    return HttpResponsePermanentRedirect(f"{path}?{query}{hash_mark}{fragment}")


def by_slug_or_alias(model, slug):
    """(the place or actor with `slug`, None), or (None, the one whose name or alias the slug spells); else 404."""
    entry = next(iter(_BY_SLUG[model](slug=slug)), None)
    if entry is not None:
        return entry, None
    entry = model.objects.by_name(slug.replace("-", " "))
    if entry is None:
        raise Http404(f"No {model._meta.verbose_name} here.")
    return None, entry


def _page_or_moved(request, model, slug):
    """(the entry with `slug`, None), or (None, a 301 to the page of the entry whose alias the slug spells)."""
    entry, spelled = by_slug_or_alias(model, slug)
    return (entry, None) if spelled is None else (None, moved_to(request, spelled.get_absolute_url()))


SECTION = PreparedQuery(lambda slug: Section.objects.select_related("parent").filter(slug=slug).order_by()[:1])
SUBSECTIONS = PreparedQuery(lambda pk: Section.objects.filter(parent_id=pk))
SECTION_STORIES = StoryList(lambda language, now, section: edition_at(language, now).in_section(Section(pk=section)))


@public_page
def section_detail(request, slug):
    """Stories filed in a section and its subsections."""
    section = next(iter(SECTION(slug=slug)), None)
    if section is None:
        raise Http404("No section here.")
    context = {"section": section, "subsections": list(SUBSECTIONS(pk=section.pk))}
    return _list_page(request, "articles/section.html", SECTION_STORIES, {"section": section.pk}, context)


ANCESTORS = PreparedQuery(lambda pk: Region.objects.ancestors_of(Region(pk=pk)).order_by())
CHILD_PLACES = PreparedQuery(lambda pk: Region.objects.filter(parent_id=pk).order_by("name"))
REGION_STORIES = StoryList(lambda language, now, region: edition_at(language, now).for_region(Region(pk=region)))


@public_page
def region_detail(request, slug):
    """Stories about a place or anywhere inside it, with the place's parents and child places."""
    region, moved = _page_or_moved(request, Region, slug)
    if moved:
        return moved
    chain = list(ANCESTORS(pk=region.pk))
    context = {
        "region": region,
        # Sorted into a new list: while list.sort() runs, the list it sorts reads as empty to the key.
        "ancestors": sorted(chain, key=lambda place: _depth(place, chain)),
        "children": list(CHILD_PLACES(pk=region.pk)),
    }
    return _list_page(request, "articles/region.html", REGION_STORIES, {"region": region.pk}, context)


def _depth(place, chain):
    """How far `place` is from the top of `chain` (the ancestors come unordered from the CTE)."""
    parents = {p.pk: p.parent_id for p in chain}
    depth, current = 0, place.parent_id
    while current in parents:
        depth, current = depth + 1, parents[current]
    return depth


ACTOR_STORIES = StoryList(lambda language, now, actor: edition_at(language, now).for_actor(Actor(pk=actor)))


@public_page
def actor_detail(request, slug):
    """Stories about a person, group or institution, with what kind of actor it is and who they are."""
    actor, moved = _page_or_moved(request, Actor, slug)
    if moved:
        return moved
    return _list_page(request, "articles/actor.html", ACTOR_STORIES, {"actor": actor.pk}, {"actor": actor})


@public_page
def corrections(request):
    """Every public note on the edition's stories, newest first: the newsroom's corrections in public."""
    notes = Correction.objects.public(at=timezone.now()).in_language(get_language()).newest_first().for_lists()
    paginator = Paginator(notes, PAGE_SIZE)
    # Junk, zero or a number past the end shows the first or last page (never a database error).
    page = paginator.get_page(request.GET.get("page"))
    return render(request, "articles/corrections.html", {"page": page, "notes": list(page.object_list)})


# The author with their photo and its renditions in the same row (`with_photo`): no query more for a picture.
AUTHOR = PreparedQuery(lambda slug: Author.objects.with_photo().filter(slug=slug).order_by()[:1])
AUTHOR_STORIES = StoryList(lambda language, now, author: edition_at(language, now).by_author(author))


@public_page
def author_detail(request, slug):
    """An author's page: who they are (photo, job title, bio, public profiles) and their stories."""
    author = next(iter(AUTHOR(slug=slug)), None)
    if author is None:
        raise Http404("No author here.")
    if author.photo_id:
        # Everything the page shows of the photo, made in one batch on the first view only (later views find
        # them loaded with the author); kept as loaded, so the picture and the structured data read them again
        # without a query.
        photo = author.photo
        remember_renditions(photo, renditions_for(photo, profile_specs(photo)).values())
    return _list_page(request, "articles/author.html", AUTHOR_STORIES, {"author": author.pk}, {"author": author})


@public_page
def search(request):
    """Search the public stories of both languages, with filters; bad filters are explained on the page."""
    # The menu, the section filter's options and the names among the words: one cache round trip for all.
    with read_along(masthead_fragment(get_language()), *site_search.fragments(request.GET.get("q", ""))):
        form = site_search.SearchForm(request.GET or None)
        results = None
        if form.is_bound and form.is_valid():
            query = form.to_query()
            if query.text or any(
                [query.section, query.region, query.actor, query.language, query.date_from, query.date_to]
            ):
                try:
                    page = int(request.GET.get("page", 1))
                except ValueError:
                    page = 1
                # Results reach back as far as lists do (LIST_DEPTH stories; older ones through the date
                # filters): a later page number is the last of those, so no number too large for the database.
                page = min(max(1, page), LIST_DEPTH // PAGE_SIZE)
                results = site_search.search(query, page=page, per_page=PAGE_SIZE, depth=LIST_DEPTH)
                remember_authors(results.articles)
        params = request.GET.copy()
        params.pop("page", None)
        context = {"form": form, "results": results, "params": params.urlencode()}
        return render(request, "articles/search.html", context)
