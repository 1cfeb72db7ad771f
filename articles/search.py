"""Full-text search of public stories: one interface, a backend per database.

    results = search(SearchQuery(text="Daesh Baghouz", language="en"), page=1)
    latest = search(SearchQuery(text="ceasefire", sort=NEWEST))

The query is folded with `articles.normalisation.fold`, exactly as the indexed text was (see
`SearchDocumentField`), so "الدوله الاسلاميه" finds "الدولة الإسلامية". Words of the query that name an
actor or a region (its name or any alias, e.g. "Daesh") are satisfied either by the text or by the tag:
a story tagged with the Islamic State is found by "Daesh" even if it never uses the word.

PostgreSQL ranks with `ts_rank` over a weighted tsvector (headline A, standfirst B, body C) served by a GIN
index. Other databases (SQLite in development) use the simple backend: substring matches on the stored
folded text, headline matches first. Both return the same `SearchResults`; snippets are highlighted here in
Python because only Python knows the folding (ts_headline would miss "الدولة" for a query "الدوله").

Results come best first (RELEVANCE, the default) or newest first (NEWEST): the same matches in the order of
their latest news (`ACTIVITY_TIME`: the public time, or a live blog's newest update when later), newest first,
then the highest id. Either way they are the SEARCH_WINDOW newest matches by that time (older ones are
reached with the date filters, which read the public time), and the results say how many stories matched, counted in
the page's own query up to one more than the window, so that "more than 150" needs no count of its own.
"""

import datetime
import functools
import hashlib
import html
import re
from dataclasses import dataclass, field

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import connection, models
from django.db.models.expressions import RawSQL, Window
from django.db.models.functions import RowNumber
from django.db.models.lookups import GreaterThan
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from articles.addresses import public_url
from articles.caching import cached_fragment
from articles.models import (
    PUBLISHING_YEARS,
    Actor,
    Article,
    ArticleActor,
    ArticleRegion,
    LiveUpdate,
    Region,
    Section,
    name_in,
)
from articles.models.fields import arabic_stems, search_words, spaced_text, tag_lexemes
from articles.normalisation import ARABIC_LETTERS, fold, name_key
from articles.prepared import PreparedQuery
from articles.querysets import ACTIVITY_TIME, PUBLIC_TIME

MAX_TERMS = 12
# Longest run of query words looked up as a name ("Syrian Democratic Forces" is three).
MAX_NAME_WORDS = 5
# Prefix matching ("kill" finds "killed") only from this length on, so "al" does not match half the archive.
MIN_PREFIX = 3
# Ranking reads each candidate's stored tsvector, so it is done on this many newest matches (see below).
SEARCH_WINDOW = 150
# The window is looked for among the stories of these last days first (see PostgresBackend.window).
RECENT_DAYS = 60
# A story tagged with what the reader named ranks above one that merely mentions it, even in its headline (a
# headline match ranks about 0.6), or holds a longer word beginning with it ("al-Baghdadi" for Baghdad).
TAG_BONUS = 1.0
SNIPPET_SCAN = 400
_SECTIONS_FRAGMENT = "search:sections:bilingual"  # (slug, English label, Arabic label)
_WORD = re.compile(r"\w+")

# The orders a reader may ask for, (value, label): relevance first, as it is the default.
RELEVANCE = "relevance"
NEWEST = "newest"
SORTS = [(RELEVANCE, _("Most relevant")), (NEWEST, _("Newest first"))]


@dataclass
class SearchQuery:
    """What the reader asked for: the words, the filters (entries, not slugs; None means no filter) and the
    order of the results (RELEVANCE or NEWEST; without words, results always come newest first)."""

    text: str = ""
    section: Section | None = None
    region: Region | None = None
    actor: Actor | None = None
    language: str = ""
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    sort: str = RELEVANCE


@dataclass
class Concept:
    """A run of query words that names a vocabulary entry: matched by the words or by the tag.

    `named` holds the entries themselves (`Named`), so the results page can say which actors and places it
    counted, by their names and with links, without asking the database again."""

    words: list
    actors: list = field(default_factory=list)
    regions: list = field(default_factory=list)
    named: list = field(default_factory=list)


@dataclass(frozen=True)
class Named:
    """An actor or place a query named: what the results page shows of it (`local_name`, a link)."""

    kind: str  # "actor" or "region", also the name of its page's address
    slug: str
    name: str
    name_ar: str

    def get_absolute_url(self):
        return public_url(self.kind, get_language(), slug=self.slug)


@dataclass
class SearchResults:
    """One page of results. Each article carries `headline_html` and `snippet` (safe, highlighted).

    `count` is how many stories the results hold: every match, or, when more than `reach` stories match
    (`more`), the `reach` newest of them (SEARCH_WINDOW with words; without words, the depth `search` was
    given). It is None on a page past the last, whose query found no row to tell it.
    """

    articles: list
    page: int
    has_next: bool
    terms: list
    concepts: list
    count: int | None = None
    more: bool = False
    reach: int = SEARCH_WINDOW
    per_page: int = 20

    @property
    def has_previous(self):
        return self.page > 1

    @property
    def pages(self):
        """How many pages the results fill (None when `count` is unknown)."""
        return None if self.count is None else -(-self.count // self.per_page)

    @property
    def named(self):
        """The actors and places the query named (their tags count as matches), each once, longest names first."""
        return list(dict.fromkeys(entry for concept in self.concepts for entry in concept.named))


def stems(word):
    """The other forms a folded query `word` looks for: an Arabic word without its attached prefixes
    (`fields.arabic_stems`), each once; none for other words."""
    if not ARABIC_LETTERS.match(word):
        return []
    return [form for form in dict.fromkeys(arabic_stems(word)) if form != word]


def with_stems(terms):
    """`terms` and their `stems`, each once: the words a result's text is highlighted for."""
    return list(dict.fromkeys(form for term in terms for form in (term, *stems(term))))


def query_terms(text):
    """The folded words of a query, in order, without repeats, at most MAX_TERMS."""
    terms = []
    for word in _WORD.findall(fold(text)):
        if word not in terms:
            terms.append(word)
    return terms[:MAX_TERMS]


def find_concepts(terms):
    """Split `terms` into runs that name actors or regions (longest first) and the remaining plain words.

    Two queries whatever the length of the query (one per vocabulary, for every run of up to MAX_NAME_WORDS
    words), and none when the same words were looked up since the vocabulary last changed: the answer is
    cached with the vocabulary's generation, as readers repeat the same few searches.
    """
    return cached_fragment(_concepts_fragment(terms), lambda: _find_concepts(terms))


def _concepts_fragment(terms):
    digest = hashlib.sha256("\x1f".join(terms).encode()).hexdigest()[:32]
    return f"search:concepts:named:{digest}"  # concepts with their entries' names (`Concept.named`)


def fragments(text):
    """The cached fragments a search for `text` reads (the section filter's options, the names among its
    words), so a page can read them in one round trip with its own (`articles.caching.read_along`)."""
    terms = query_terms(text)
    return [_SECTIONS_FRAGMENT, _concepts_fragment(terms)] if terms else [_SECTIONS_FRAGMENT]


def _find_concepts(terms):
    runs = {}
    for size in range(min(MAX_NAME_WORDS, len(terms)), 0, -1):
        for start in range(len(terms) - size + 1):
            words = terms[start : start + size]
            runs.setdefault(name_key(" ".join(words)), (start, size))
            # "بدمشق" names Damascus, "والدولة الاسلامية" the Islamic State: a name without its first word's prefix.
            for stem in stems(words[0]):
                runs.setdefault(name_key(" ".join([stem, *words[1:]])), (start, size))
    if not runs:
        return [], terms
    found, named = {}, {}
    for model, kind in ((Actor, "actor"), (Region, "region")):
        rows = model.objects.filter(models.Q(key__in=runs) | models.Q(aliases__key__in=runs))
        for pk, key, alias_key, *shown in rows.values_list("pk", "key", "aliases__key", "slug", "name", "name_ar"):
            named[kind, pk] = Named(kind, *shown)
            for matched in {key, alias_key} & runs.keys():
                found.setdefault(matched, set()).add((kind, pk))
    taken, concepts = set(), []
    for key, (start, size) in sorted(runs.items(), key=lambda item: (-item[1][1], item[1][0])):
        span = set(range(start, start + size))
        if key in found and not span & taken:
            taken |= span
            entries = found[key]
            concepts.append(
                Concept(
                    terms[start : start + size],
                    actors=sorted(pk for kind, pk in entries if kind == "actor"),
                    regions=sorted(pk for kind, pk in entries if kind == "region"),
                    named=sorted((named[entry] for entry in entries), key=lambda entry: (entry.name, entry.kind)),
                )
            )
    plain = [t for i, t in enumerate(terms) if i not in taken]
    return concepts, plain


class PostgresBackend:
    """Ranked full-text search over the GIN index of each story's words and tags (`article_search_terms`).

    The whole query is one tsquery: every plain word, and for each named actor or place its words or its
    tags ('~r12', '~a7', kept in `search_tags` by triggers on the link tables). The index yields only the
    final matches, so PostgreSQL reads the rows of those alone. Ranking reads each candidate's stored
    tsvector, so it is done on the SEARCH_WINDOW newest matching stories (older matches are reached with the
    date filters): first among the stories of the last RECENT_DAYS, and only if they hold too few matches
    among the older ones too, so the window is always the newest matches. The window's query takes one match
    more, which the page's query counts with the window (`COUNT(*) OVER ()`) and never shows: that is how the
    results know, without a query of their own, how many stories matched and whether more did.
    """

    @staticmethod
    def tsquery(words, joiner=" & "):
        """A `to_tsquery('simple', …)` expression for `words` (all of them, or any with joiner " | ")."""
        # Words come from \w+ after folding, so they hold no tsquery operators; quoting keeps them literal. An
        # Arabic word also matches its forms without prefixes, whole (as a word's start, "كتاب" less its "ك"
        # would find every word beginning "تاب").
        parts = []
        for w in words:
            part = f"'{w}':*" if len(w) >= MIN_PREFIX else f"'{w}'"
            forms = stems(w)
            alternatives = [part, *(f"'{form}'" for form in forms)]
            parts.append(f"({' | '.join(alternatives)})" if forms else part)
        return joiner.join(parts)

    @staticmethod
    def tags_tsquery(concept):
        """The tsquery (text) matching stories tagged with any of the concept's actors or regions."""
        return " | ".join(f"'{lexeme}'" for lexeme in tag_lexemes(concept.regions, concept.actors))

    def page(self, filters, terms, concepts, plain, page, per_page, sort=RELEVANCE):
        """The stories matching the words, best first (or newest first, with `sort` NEWEST), on `page`, each
        with `matches`: how many the window holds, one more than SEARCH_WINDOW when more stories match
        (`filters`: `filtered`'s values; see `rows`).

        The query is compiled once per order and shape of its values (how many names the query holds, which
        filters are set): its words, names and tags are tsquery texts, the time and the window plain values.
        """
        values = {
            **filters,
            "plain": [self.tsquery(plain)] if plain else [],
            "names": [self.tsquery(concept.words) for concept in concepts],
            "tags": [self.tags_tsquery(concept) for concept in concepts],
            "since": filters["now"] - datetime.timedelta(days=RECENT_DAYS),
            "size": SEARCH_WINDOW,
        }
        if sort == NEWEST:
            return rows(PostgresBackend.latest, values, page, per_page)
        return rows(PostgresBackend.ranked, {**values, "rank": self.tsquery(terms, " | ")}, page, per_page)

    @staticmethod
    def ranked(plain, names, tags, rank, since, size, **filters):
        """The filtered stories matching `plain` (the plain words' tsquery, if any) and, for each name, its
        words' tsquery (`names`) or its tags' (`tags`), best first by `rank` (any word's tsquery) and tags:
        among the `size` newest of those matches, looking first at the stories public since `since` (and the
        one more the window holds, last; see `_best_first`), each with `matches` (see `_counted`)."""
        articles = PostgresBackend.matching(filtered(**filters), plain, names, tags)
        score = RawSQL("ts_rank(search_document, to_tsquery('simple', %s))", [rank], models.FloatField())
        # Tagged with one of a name's places or actors, read from the story's own row.
        bonus = _tag_bonus(RawSQL("search_tags @@ %s::tsquery", [t], models.BooleanField()) for t in tags)
        candidates = Article.objects.filter(pk__in=PostgresBackend.window(articles, since, size))
        return _best_first(_counted(candidates).annotate(rank=score + bonus), size)

    @staticmethod
    def latest(plain, names, tags, since, size, **filters):
        """The stories `ranked` ranks (the `size` newest matches, found the same way), newest first.

        No rank is computed, so no story's stored tsvector is read: the window's own order, applied to its
        rows (so the one more it holds comes last)."""
        articles = PostgresBackend.matching(filtered(**filters), plain, names, tags)
        window = Article.objects.filter(pk__in=PostgresBackend.window(articles, since, size))
        return _counted(window).latest_activity_first()

    @staticmethod
    def matching(articles, plain, names, tags):
        """`articles` holding all of `plain` and, for each name, its words or one of its tags (tsquery texts)."""
        parts = ["to_tsquery('simple', %s)" for _ in plain]
        parts += ["(to_tsquery('simple', %s) || %s::tsquery)" for _ in names]
        if not parts:
            return articles
        condition = RawSQL(
            f"article_search_terms(search_document, search_tags) @@ ({' && '.join(parts)})",
            [*plain, *(text for pair in zip(names, tags, strict=True) for text in pair)],
            output_field=models.BooleanField(),
        )
        return articles.filter(condition)

    def titles_holding(self, articles, words):
        """`articles` whose title (kicker and headline, the document's weight A) holds every one of the folded
        `words`, the longer ones as a word's start: the desk's story search, in any spelling that folds alike."""
        parts = [f"'{w}':*A" if len(w) >= MIN_PREFIX else f"'{w}':A" for w in words]
        return self.matching(articles, [" & ".join(parts)], [], [])

    @staticmethod
    def window(articles, since, size):
        """The ids of the `size` newest of `articles` (matching stories) and of the next one if any (so the
        results know that more match), as SQL, looking first at the stories public since `since`.

        Each part is a set the planner must produce whole (a materialised CTE, no LIMIT inside), so matches
        are read from the index, never by walking the newest stories and testing each one's words.
        """
        dated = articles.alias(public_at=PUBLIC_TIME).annotate(window_time=ACTIVITY_TIME)
        dated = dated.values_list("pk", "window_time").order_by()
        # Recent: published, or (a live blog) updated, since `since`. Written as the two times, not as the time
        # of the latest news, so the planner reads the indexes of both (`article_public_time`,
        # `article_live_updated`) together with the search index.
        recent = models.Q(public_at__gte=since) | models.Q(last_live_update_at__gte=since)
        older = models.Q(public_at__lt=since) & (
            models.Q(last_live_update_at__isnull=True) | models.Q(last_live_update_at__lt=since)
        )
        recent_sql, recent_params = dated.filter(recent).query.sql_with_params()
        # Read only when the recent stories hold no more than `size` matches (a one-time filter).
        short = RawSQL("(SELECT COUNT(*) FROM search_recent) <= %s", [size], models.BooleanField())
        older_sql, older_params = dated.filter(older).filter(short).query.sql_with_params()
        return RawSQL(
            f"WITH search_recent AS MATERIALIZED ({recent_sql}), search_older AS MATERIALIZED ({older_sql}) "
            "SELECT w.id FROM (SELECT * FROM search_recent UNION ALL SELECT * FROM search_older) w (id, public_at) "
            "ORDER BY w.public_at DESC, w.id DESC LIMIT %s + 1",
            (*recent_params, *older_params, size),
        )


class SimpleBackend:
    """Substring search on the stored folded text (SQLite): every word must appear; headline hits first.

    Over the same window as PostgreSQL's (the SEARCH_WINDOW newest matches, and one more to count), so the
    results hold the same stories and say the same count on both databases."""

    def page(self, filters, terms, concepts, plain, page, per_page, sort=RELEVANCE):
        """The stories matching the words, best first (or newest first, with `sort` NEWEST), on `page`, each
        with `matches` (`filters`: `filtered`'s values; see `PostgresBackend.page`).

        Built on every search: the names' words and tags are lists of lists, which a prepared query does not
        take, and this backend serves development only."""
        start = (page - 1) * per_page
        size = SEARCH_WINDOW
        matches = self.matching(filtered(**filters), concepts, plain)
        window = matches.latest_activity_first().values("pk")[: size + 1]
        articles = _counted(Article.objects.filter(pk__in=window))
        articles = articles.latest_activity_first() if sort == NEWEST else self.ranked(articles, terms, concepts, size)
        return for_results(articles)[start : start + per_page]

    def matching(self, articles, concepts, plain):
        condition = models.Q()
        for word in plain:
            condition &= self.holding(word)
        for concept in concepts:
            words = models.Q()
            for word in concept.words:
                words &= self.holding(word)
            condition &= words | _tagged(concept)
        return articles.filter(condition)

    @staticmethod
    def holding(word):
        """The stored text holds `word`, or one of its `stems` as a whole word (as PostgreSQL matches them)."""
        condition = models.Q(search_document__contains=word)
        for form in stems(word):
            condition |= models.Q(search_document__regex=rf"(^|\s){re.escape(form)}(\s|$)")
        return condition

    def titles_holding(self, articles, words):
        """`articles` whose title (the stored text's first line) holds every one of the folded `words` (see
        PostgresBackend)."""
        end_of_title = models.functions.StrIndex("search_document", models.Value("\n"))
        for i, word in enumerate(words):
            hit = f"title_hit_{i}"
            articles = articles.alias(**{hit: models.functions.StrIndex("search_document", models.Value(word))})
            articles = articles.filter(**{f"{hit}__gt": 0, f"{hit}__lt": end_of_title})
        return articles

    def ranked(self, articles, terms, concepts, size):
        # The stored text is the headline on its first line, then the rest: a hit before the first newline
        # is a headline hit, worth ten body hits.
        end_of_title = models.functions.StrIndex("search_document", models.Value("\n"))
        score = models.Value(0.0)
        for i, term in enumerate(terms):
            position = f"hit_{i}"
            articles = articles.alias(**{position: models.functions.StrIndex("search_document", models.Value(term))})
            in_title = models.Q(**{f"{position}__gt": 0}) & models.Q(**{f"{position}__lt": end_of_title})
            score = score + models.Case(models.When(in_title, then=models.Value(1.0)), default=models.Value(0.1))
        return _best_first(articles.annotate(rank=score + _tag_bonus(_tagged(concept) for concept in concepts)), size)


def _counted(candidates):
    """`candidates` (a window's stories) each with `matches`, how many they are, counted in their own query."""
    return candidates.annotate(matches=Window(models.Count("pk")))


def _best_first(candidates, size):
    """Highest rank first; among equals, the newest. The story past the `size` newest candidates (the one a
    window takes to tell that more match) comes after all of them, so pages of the others are unchanged."""
    candidates = candidates.alias(active_at=ACTIVITY_TIME)
    newness = Window(RowNumber(), order_by=[models.F("active_at").desc(), models.F("pk").desc()])
    return candidates.order_by(GreaterThan(newness, size).asc(), "-rank", "-active_at", "-pk")


def _tagged(concept):
    """Articles tagged with one of the concept's actors or regions."""
    condition = models.Q(pk__in=[])
    if concept.actors:
        condition |= models.Q(pk__in=ArticleActor.objects.filter(tag__in=concept.actors).values("content_object_id"))
    if concept.regions:
        condition |= models.Q(pk__in=ArticleRegion.objects.filter(tag__in=concept.regions).values("content_object_id"))
    return condition


def _tag_bonus(conditions):
    """TAG_BONUS for each of `conditions` (each saying that the story is tagged with a name) that holds."""
    bonus = models.Value(0.0)
    for condition in conditions:
        bonus = bonus + models.Case(models.When(condition, then=models.Value(TAG_BONUS)), default=models.Value(0.0))
    return bonus


def backend():
    """The backend for the default database."""
    return PostgresBackend() if connection.vendor == "postgresql" else SimpleBackend()


def filtered(now, section=(), region=(), actor=(), language=(), public_from=(), public_before=()):
    """Stories public at `now`, narrowed by the filters (no words involved).

    Each filter is a list of none or one value, as a prepared query takes a value that may be missing: the
    id of a section (with its subsections), of a place (with the places inside it) or of an actor, a
    language code, the earliest public time and the time the stories were public before.
    """
    articles = Article.objects.published(at=now)
    for pk in section:
        articles = articles.in_section(pk)
    for pk in region:
        articles = articles.for_region(Region(pk=pk))
    for pk in actor:
        articles = articles.for_actor(pk)
    for code in language:
        articles = articles.in_language(code)
    for moment in public_from:
        articles = articles.public_since(moment)
    for moment in public_before:
        articles = articles.alias(public_at=PUBLIC_TIME).filter(public_at__lt=moment)
    return articles


def filter_values(query, now):
    """The values `filtered` takes for the filters of `query` (a SearchQuery) at `now`."""
    zone = timezone.get_current_timezone()

    def day_start(day):
        return datetime.datetime.combine(day, datetime.time.min, tzinfo=zone)

    return {
        "now": now,
        "section": [query.section.pk] if query.section else [],
        "region": [query.region.pk] if query.region else [],
        "actor": [query.actor.pk] if query.actor else [],
        "language": [query.language] if query.language else [],
        "public_from": [day_start(query.date_from)] if query.date_from else [],
        "public_before": [day_start(query.date_to + datetime.timedelta(days=1))] if query.date_to else [],
    }


def newest(depth, **filters):
    """The filtered stories (`filtered`'s values), newest first: a search without words. Each carries
    `matches`, how many there are up to one more than `depth`, counted in the same query (the count is a
    subquery that does not depend on the row, so PostgreSQL runs it once; it reads no more than that)."""
    articles = filtered(**filters)
    sql, params = articles.values("pk").order_by().query.sql_with_params()
    counted = RawSQL(f"SELECT COUNT(*) FROM ({sql} LIMIT %s + 1) counted", (*params, depth), models.IntegerField())
    return articles.newest_first().annotate(matches=counted)


def for_results(articles):
    """What a result shows besides its authors, in the page's own query: its section and lead picture."""
    return articles.defer("search_document").select_related("section").with_lead_image()


# The first pages of each kind of search (words best first, words newest first, filters alone) run queries
# compiled once per process (`articles.prepared`); past them, or past so many shapes of values (which
# filters, how many names), queries are built per search, so the page numbers and filters readers type
# cannot fill the memory with compiled queries (some 100 KB each, so at most about 15 MB a process).
PREPARED_PAGES = 3
PREPARED_SHAPES = 16
_prepared_pages = {}


def rows(build, values, page, per_page):
    """The stories `build(**values)` on `page`, with what results show (`for_results`). On the first
    PREPARED_PAGES pages, from a query compiled once per shape of the values."""
    start = (page - 1) * per_page
    stop = start + per_page
    key = (build, start, stop)
    query = _prepared_pages.get(key)
    if query is None:
        if page > PREPARED_PAGES:
            return for_results(build(**values))[start:stop]
        query = _prepared_pages[key] = PreparedQuery(
            lambda **v: for_results(build(**v))[start:stop], shapes=PREPARED_SHAPES
        )
    return query(**values)


def search(query, page=1, per_page=20, depth=2000):
    """Search public stories; returns one page of `SearchResults`, best first or, with `query.sort` NEWEST,
    newest first (the same matches), with how many stories matched.

    With words, the results are the SEARCH_WINDOW newest matches. Without words, the filtered stories come
    newest first, back to the `depth` newest. Runs a fixed number of queries: two to find names in the
    query (none when the same words were looked up since the vocabulary changed), one for the page, which
    also counts the matches up to one more than the results reach (so "more than 150" costs no query),
    compiled once per process for the first pages (`rows`), and one more only when a result with live
    updates shows no match in its own text, for the update to show (`live_update_snippets`). Results show no place or
    actor chips, so those are not fetched; the page's view gives the stories their authors in one more query
    (`views.remember_authors`).
    """
    if query.sort not in (RELEVANCE, NEWEST):
        raise ValueError(f"unknown order of search results: {query.sort!r}")
    terms = query_terms(query.text)
    concepts, plain = find_concepts(terms) if terms else ([], [])
    filters = filter_values(query, timezone.now())
    page = max(1, page)
    if terms:
        reach = SEARCH_WINDOW
        found = list(backend().page(filters, terms, concepts, plain, page, per_page, query.sort))
    else:
        reach = depth
        found = list(rows(newest, {**filters, "depth": depth}, page, per_page))
    # Every row carries the count; a page without rows knows it only if it is the first.
    matches = found[0].matches if found else (0 if page == 1 else None)
    count = None if matches is None else min(matches, reach)
    start = (page - 1) * per_page
    # The story past the reach, taken only to tell that more match, comes last and is never shown.
    shown = found[: max(0, count - start)] if count is not None else []
    marked = with_stems(terms)
    for article in shown:
        article.headline_html = highlight(article.headline, marked)
        article.snippet = snippet(f"{article.standfirst} {spaced_text(article.body)}", marked)
    if terms:
        live_update_snippets(shown, marked)
    has_next = count is not None and start + per_page < count
    more = matches is not None and matches > reach
    return SearchResults(shown, page, has_next, terms, concepts, count, more, reach, per_page)


def live_update_snippets(articles, terms):
    """Give each of `articles` (results with their snippets) whose snippet shows no match and that has live
    updates the snippet of its newest update holding one of `terms`, with that update as `live_update_match`
    (its `url`: the page of updates that shows it, at its anchor). One query, only when a story with live
    updates is among the results with no match in its own snippet: a story found by the words of its live
    updates (`SearchDocument`) shows the words it was found by."""
    wanted = {a.pk: a for a in articles if a.last_live_update_at and "<mark>" not in a.snippet}
    if not wanted:
        return
    holding = models.Q()
    for term in terms:  # a first sieve on the folded words; `snippet` below says which truly match
        holding |= models.Q(search_words__contains=term)
    newest_first = [models.F("posted_at").desc(), models.F("pk").desc()]
    updates = (
        LiveUpdate.objects.shown()
        .filter(holding, article_id__in=list(wanted))
        .with_newer()
        .annotate(place=Window(RowNumber(), partition_by=[models.F("article_id")], order_by=newest_first))
        .filter(place=1)
        .only("pk", "article_id", "posted_at", "title", "text")
    )
    for update in updates:
        # Its text around the first match; else the match is in its title, shown before the text.
        found = snippet(spaced_text(update.text), terms)
        if "<mark>" not in found and update.title:
            found = snippet(f"{update.title}: {spaced_text(update.text)}", terms)
        if "<mark>" not in found:
            continue
        article = wanted[update.article_id]
        update.url = update.address_on(article)
        article.snippet, article.live_update_match = found, update


def highlight(text, terms):
    """`text` HTML-escaped, with every word whose folded form starts with a query term wrapped in <mark>."""
    return mark_safe(_marked(text, tuple(terms)))  # noqa: S308 - every piece of `text` is escaped in _marked


@functools.lru_cache(maxsize=65536)
def _forms(word):
    """The forms the index holds for `word`: folded, and for Arabic also without attached prefixes."""
    return tuple(search_words(word).split())


@functools.lru_cache(maxsize=131072)
def _matches(word, terms):
    """Whether `word` (any of its indexed forms) is, or starts with, one of `terms` (a tuple).

    Remembered across requests: the same common words come up in every snippet, and scanning a few hundred
    words of each of twenty stories word by word was most of a search's Python time.
    """
    return any(f == t or (len(t) >= MIN_PREFIX and f.startswith(t)) for f in _forms(word) for t in terms)


@functools.lru_cache(maxsize=131072)
def _token_matches(token, terms):
    """Whether any word of a whitespace-separated `token` ("Kirkuk," or "al-Hasakah") matches `terms`."""
    return any(_matches(word, terms) for word in _WORD.findall(token))


def _marked(text, terms):
    out, last = [], 0
    for match in _words_to_try(text, terms):
        if _matches(match.group(), terms):
            out.append(html.escape(text[last : match.start()]))
            out.append(f"<mark>{html.escape(match.group())}</mark>")
            last = match.end()
    out.append(html.escape(text[last:]))
    return "".join(out)


# The word characters of the Arabic block that fold to Arabic letters only (not its digits, which fold to
# ASCII ones, nor the tatweel, which folding drops): a word of ASCII terms cannot start in one of them.
_ARABIC_LETTERS = "".join(
    char
    for char in map(chr, range(0x600, 0x700))
    if _WORD.fullmatch(char) and fold(char) and not any(map(str.isascii, fold(char)))
)
# Word characters outside ASCII that are not such Arabic letters: folding a word with one of them (a
# ligature, a fullwidth or an accented letter, an Arabic-Indic digit) may give any letters.
_UNFOLDED = re.compile(f"[^\\W\\x00-\\x7f{_ARABIC_LETTERS}]")


@functools.lru_cache(maxsize=1024)
def _term_starts(terms):
    """For each of the ASCII `terms`, a pattern finding it, in lowercased text, where it starts a word (and
    ends it too, for a term too short to match by its beginning): a word of ASCII letters folds to its
    lowercase, so these are the only places where it can match. One pattern per term: each begins with its
    term, which the regular expression engine looks for as fast as `str.find`."""
    word = "[0-9a-z_]"
    return tuple(
        re.compile(f"{re.escape(t)}(?<!{word}{re.escape(t)})" + ("" if len(t) >= MIN_PREFIX else f"(?!{word})"))
        for t in terms
    )


def _first_match(tokens, terms):
    """The index of the first of `tokens` that matches `terms` (a tuple), or 0 when none does.

    With ASCII terms, the tokens that may match are found with regular expressions over the joined tokens,
    and `_token_matches` decides for each of those: the same answer as asking it of every token in turn,
    which was a few hundred cache lookups per story (2 ms of a search's twenty snippets).
    """
    if not all(term.isascii() for term in terms):
        return next((i for i, token in enumerate(tokens) if _token_matches(token, terms)), 0)
    # Lowering makes and removes no space, so a position's token is the number of spaces before it. The
    # characters outside ASCII that lower to ASCII letters (the Kelvin sign, "İ") fold to the same letters.
    text = " ".join(tokens).lower()
    patterns = _term_starts(terms) if text.isascii() else (*_term_starts(terms), _UNFOLDED)
    index = counted = 0
    while starts := [found.start() for found in (p.search(text, counted) for p in patterns) if found]:
        at = min(starts)
        index += text.count(" ", counted, at)
        if _token_matches(tokens[index], terms):
            return index
        counted = text.find(" ", at)
        if counted < 0:
            break
    return 0


def _words_to_try(text, terms):
    """The words (`\\w+` matches) of `text` that may match `terms` (a tuple), in order: with ASCII terms,
    only the words holding a place the patterns of `_first_match` find; otherwise every word.

    Highlighting asked `_matches` about each word of the headline and of the snippet's forty words: 0.4 ms
    of a search's twenty results.
    """
    lowered = text.lower()
    # A character lowered into two ("İ") would shift the places found in `lowered` from those in `text`.
    if len(lowered) != len(text) or not all(term.isascii() for term in terms):
        return _WORD.finditer(text)
    places = sorted(
        {found.start() for pattern in (*_term_starts(terms), _UNFOLDED) for found in pattern.finditer(lowered)}
    )
    words, end = [], 0
    for place in places:
        if place < end:  # in the word just taken
            continue
        start = place
        while start and _WORD.match(text, start - 1, start):  # back to the beginning of the word
            start -= 1
        word = _WORD.match(text, start)
        words.append(word)
        end = word.end()
    return words


def snippet(text, terms, words=40):
    """About `words` words of `text` around the first match, escaped and highlighted."""
    # Look for the first match in the first SNIPPET_SCAN words only; a later match still gets the opening.
    # The text past the words a snippet can show stays in one piece (splitting a long body is not free).
    limit = SNIPPET_SCAN + words
    tokens = text.split(None, limit)
    more = len(tokens) > limit and bool(tokens.pop())
    if not tokens:
        return ""
    terms = tuple(terms)
    first = _first_match(tokens[:SNIPPET_SCAN], terms)
    start = max(0, first - words // 4)
    piece = " ".join(tokens[start : start + words])
    prefix = "… " if start else ""
    suffix = " …" if more or start + words < len(tokens) else ""
    return mark_safe(html.escape(prefix) + _marked(piece, terms) + html.escape(suffix))  # noqa: S308


def section_choices(language):
    """The section filter's options, (slug, label) with labels in `language`'s names (the English name where a
    section has no Arabic one), cached until the vocabulary changes (no query per search).

    A subsection's label names its parent ("Syria News > Raqqa"), fetched with it."""

    def label(section, language):
        return " > ".join(name_in(part, language) for part in (section.parent, section) if part)

    def compute():
        sections = Section.objects.select_related("parent")
        return [(section.slug, label(section, "en"), label(section, "ar")) for section in sections]

    column = 2 if language == "ar" else 1
    return [(option[0], option[column]) for option in cached_fragment(_SECTIONS_FRAGMENT, compute)]


# The dates a filter may name (`PUBLISHING_YEARS`).
_DATE_RANGE = _("Enter a date between the years 1900 and 2999.")
DATE_BOUNDS = [
    MinValueValidator(datetime.date(PUBLISHING_YEARS.start, 1, 1), _DATE_RANGE),
    MaxValueValidator(datetime.date(PUBLISHING_YEARS.stop - 1, 12, 31), _DATE_RANGE),
]


class SearchForm(forms.Form):
    """The search page's inputs, validated: unknown filters and impossible dates are explained, not ignored."""

    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    # Options from `section_choices()`, set per form; the chosen section is loaded only when one is asked for.
    section = forms.ChoiceField(label=_("Section"), required=False)
    region = forms.CharField(label=_("Place"), required=False, max_length=150)
    actor = forms.CharField(label=_("Actor"), required=False, max_length=150)
    language = forms.ChoiceField(
        label=_("Language"), required=False, choices=[("", _("Any language")), *Article.Language.choices]
    )
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"}), validators=DATE_BOUNDS
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"}), validators=DATE_BOUNDS
    )
    # An unknown order is explained like an unknown section; no value (the masthead's form) is relevance.
    sort = forms.ChoiceField(label=_("Sort by"), required=False, choices=SORTS, initial=RELEVANCE)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["section"].choices = [("", _("Any section")), *section_choices(get_language())]

    def clean_section(self):
        slug = self.cleaned_data["section"]
        return Section.objects.filter(slug=slug).first() if slug else None

    def clean_region(self):
        return self._entry(Region, self.cleaned_data["region"], _("No place called “%(name)s”."))

    def clean_actor(self):
        return self._entry(Actor, self.cleaned_data["actor"], _("No actor called “%(name)s”."))

    @staticmethod
    def _entry(model, value, message):
        # The filter accepts a slug (from links) or any name or alias (typed by a reader).
        if not value:
            return None
        entry = model.objects.filter(slug=value).first() or model.objects.by_name(value.replace("-", " "))
        if entry is None:
            raise forms.ValidationError(message % {"name": value})
        return entry

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", _("The end date is before the start date."))
        return data

    def to_query(self):
        """The validated inputs as a SearchQuery."""
        data = self.cleaned_data
        return SearchQuery(
            text=data.get("q") or "",
            section=data.get("section"),
            region=data.get("region"),
            actor=data.get("actor"),
            language=data.get("language") or "",
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            sort=data.get("sort") or RELEVANCE,
        )
