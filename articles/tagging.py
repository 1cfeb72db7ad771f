"""Finding the regions and actors a story is about: the gazetteer matcher.

Every name, Arabic name and alias of every region and actor goes into one Aho-Corasick automaton, so a
story is scanned once whatever the size of the gazetteer. Text and names are cut into words and folded
by the shared normalisation (`articles.normalisation`), so matching is whole-word, case and diacritics
insensitive and Arabic spellings meet. On top of the raw matches:

- the longest match wins ("Syrian Democratic Forces" is the SDF, not Syria; "Deir ez-Zor" is one place);
- an Arabic name may carry attached prefixes (و ف ب ل ك and their combinations; `لل` for a name that
  starts with `ال`), but a longer word is never split (البغدادي is not بغداد, العراقي is not العراق);
- capitals count in English: a name written with capitals in the gazetteer must be capitalised in the text
  ("turkey" is a bird), an acronym must be in capitals ("us" is not the US);
- a place right after a person's title or a kunya ("spokesman", "Gen.", "Abu", الشيخ) is part of a name;
- names that are also first names (`FIRST_NAMES`: Jordan, Chad) must not stand next to another capitalised
  word that is not itself part of a gazetteer name ("Jordan Peterson", "Michael Jordan"), and need some
  other entity of the gazetteer in the same story;
- names that are also common words (`COMMON_WORDS`: Hit, Van, Arabic صور "pictures", حماس "enthusiasm",
  the nisba البغدادي) need more: not at the start of a sentence or in a title-case headline, and either the
  same entry named unambiguously elsewhere in the story or, for places and organisations, another entry
  from the same country (حماس counts next to Gaza, not next to Erbil);
- a person found by a one-word alias (a surname) next to a different capitalised first name is someone else;
- a city named right after "province of" / "governorate of" is its governorate, when one has its name.

The matcher is built from the database once and cached; it is rebuilt when the gazetteer changes.
"""

import html
import re
from dataclasses import dataclass, field
from functools import partial
from typing import NamedTuple

import ahocorasick
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Case, Value, When
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from articles import caching
from articles.models import (
    Actor,
    ActorAlias,
    Article,
    ArticleActor,
    ArticleRegion,
    Region,
    RegionAlias,
    RejectedSuggestion,
)
from articles.normalisation import fold_words, is_arabic, name_key, strip_marks
from articles.taxonomy import Vocabulary

# A word (letters and digits, with apostrophes or dots inside it: Da'ish, U.S) or one punctuation mark that
# ends a phrase. Punctuation marks become words of their own, so no match ever spans them.
TOKEN = re.compile(
    r"[^\W_]++(?:['\u2019\u02bc.][^\W_]++)*+|[.,;:!?()\[\]\"\u201c\u201d\u00ab\u00bb\n\u060c\u061b\u061f]"
)
# The same for text that is all ASCII (most English copy), where it runs about a third faster.
_ASCII_TOKEN = re.compile(r"[A-Za-z0-9]++(?:['.][A-Za-z0-9]++)*+|[.,;:!?()\[\]\"\n]")
_BLOCK_TAG = re.compile(r"</?(?:p|div|h[1-6]|li|ul|ol|br|blockquote|tr|td|th|table|figure|figcaption|hr)\b[^>]*>", re.I)
_ANY_TAG = re.compile(r"<[^>]*>")
_HIDDEN_ELEMENT = re.compile(r"<(script|style|template)\b.*?</\1\s*>", re.I | re.S)

# Attached Arabic prefixes: conjunctions (و ف), prepositions (ب ل ك) and their combinations.
_AR_PROCLITICS = ("و", "ف", "ب", "ل", "ك", "وب", "ول", "وك", "فب", "فل", "فك")
# Before a name that starts with the article ال, the preposition ل swallows its alef: ل + العراق = للعراق.
_AR_LAM_ARTICLE = ("لل", "ولل", "فلل")

# Words after which a capitalised name belongs to a person (folded). "Abu", "bin" and "ibn" start names.
TITLES = frozenset(
    """spokesman spokeswoman spokesperson president minister commander chief leader general gen colonel col
    lieutenant lt major maj captain capt sergeant sgt brigadier brig mr mrs ms miss dr sheikh shaikh sheik imam
    ayatollah cleric prince princess king queen emir sultan sir lord judge envoy ambassador senator sen rep governor
    mayor deputy secretary official analyst journalist reporter correspondent photographer activist abu umm bin ibn
    mullah father mother brother sister son daughter wife husband
    السيد السيده الشيخ الدكتور د العميد اللواء العقيد المقدم الرائد النقيب الجنرال الفريق الملازم الحاج الامام
    اية الاستاذ المتحدث الناطق ابو ابن بن""".split()  # noqa: SIM905 -- a word list reads better as prose
)

# Place and actor names (folded) that are also first names, or ordinary words, in English or Arabic.
FIRST_NAMES = frozenset({"jordan", "chad", "georgia", "israel", "amara", "hama", "salah", "washington", "wagner"})
COMMON_WORDS = frozenset(
    """hit van batman tyre amed soran dibs fao tuz nawa semel speicher balad koya kut
    صور الباب باب حمص حماس البغدادي الحسين ربيعه امل""".split()  # noqa: SIM905 -- a word list reads better as prose
)
_FIRST_NAME, _COMMON_WORD = 1, 2
_PROVINCE_WORDS = frozenset({"province", "governorate", "provinces", "governorates"})

# Capitalised words that may stand next to a name without making it part of a longer proper name.
NOT_NAME_PARTS = frozenset(
    """a an the and but or nor for of in on at to from by with within without into onto via over under across
    inside outside near between after before during while when where as than like about around against
    toward towards through throughout beyond along amid among both either neither this that these those
    north south east west northern southern eastern western central greater upper lower rural
    northeast northwest southeast southwest northeastern northwestern southeastern southwestern
    new old occupied neighbouring neighboring nearby says said say told tells
    monday tuesday wednesday thursday friday saturday sunday january february march april may june july
    august september october november december""".split()  # noqa: SIM905
)


def plain_text(html_text):
    """The readable text of a story body: tags out (block tags become line breaks), entities decoded."""
    if not html_text:
        return ""
    if "<" not in html_text:
        return html.unescape(html_text)
    if "<s" in html_text.lower() or "<t" in html_text.lower():
        html_text = _HIDDEN_ELEMENT.sub("", html_text)
    return html.unescape(_ANY_TAG.sub("", _BLOCK_TAG.sub("\n", html_text)))


def words(text):
    """The tokens of `text` as the matcher sees them (case kept; see `TOKEN`)."""
    if text.isascii():
        return _ASCII_TOKEN.findall(text)  # nothing for strip_marks to do either
    return TOKEN.findall(strip_marks(text))


def _fold_tokens(tokens):
    folded = fold_words(" ".join(tokens)).split(" ")
    if len(folded) != len(tokens):  # a letter that folds into two words would shift every later token
        folded = [fold_words(token).replace(" ", "") for token in tokens]
    return folded


def _is_word(token):
    return token[:1].isalnum()


def _is_latin(token):
    return token[:1].isascii() or ("\u00c0" <= token[:1] <= "\u024f")


def _case_signature(token):
    """'A' an acronym in capitals, 'C' a capitalised word, 'l' lower case, '-' a script without case."""
    if not _is_latin(token) or not token[:1].isalpha():
        return "-"
    letters = [c for c in token if c.isalpha()]
    if len(letters) > 1 and all(c.isupper() for c in letters):
        return "A"
    return "C" if token[0].isupper() else "l"


def _fits(signature, tokens):
    for wanted, token in zip(signature, tokens):  # noqa: B905 -- same length by construction
        if wanted == "A" and not all(c.isupper() for c in token if c.isalpha()):
            return False
        if wanted == "C" and not token[:1].isupper():
            return False
    return True


@dataclass(frozen=True)
class Entity:
    """One region or actor as the matcher knows it; `country` is the pk of its country (or its home's)."""

    kind: str  # "region" or "actor"
    pk: int
    slug: str
    name: str
    is_person: bool = False
    country: int | None = None
    governorate: int | None = None  # for a city named like its governorate: that governorate's pk


@dataclass
class Found:
    """What the matcher found in one story: primary keys of regions and actors, and how often each was named."""

    regions: set = field(default_factory=set)
    actors: set = field(default_factory=set)
    mentions: dict = field(default_factory=dict)  # Entity -> count


@dataclass
class _Candidate:
    entity: int  # index into Matcher.entities
    signatures: set
    variant: bool  # reached through an Arabic prefix
    ambiguous: int  # 0, or _FIRST_NAME / _COMMON_WORD when the name is also one


class Matcher:
    """An Aho-Corasick automaton over every name and alias; `find(...)` returns the regions and actors named."""

    def __init__(self, entries):
        """Build from `entries`: (Entity, [names...]) pairs."""
        self.entities = []
        patterns = {}
        for entity, names in entries:
            index = len(self.entities)
            self.entities.append(entity)
            for name in names:
                self._add_name(patterns, index, name)
        self.automaton = ahocorasick.Automaton(ahocorasick.STORE_ANY)
        for pattern, candidates in patterns.items():
            exact = [c for c in candidates.values() if not c.variant]
            chosen = tuple(exact or candidates.values())
            length = pattern.count(" ") + 1
            self.automaton.add_word(f" {pattern} ", (length, len(pattern) + 2, chosen))
        if patterns:
            self.automaton.make_automaton()
        self.size = len(patterns)
        self.index_of = {(e.kind, e.pk): i for i, e in enumerate(self.entities)}

    def _add_name(self, patterns, index, name):
        tokens = [t for t in words(name) if _is_word(t)]
        if not tokens:
            return
        folded = _fold_tokens(tokens)
        if not all(folded):
            return
        signature = tuple(_case_signature(t) for t in tokens)
        key = " ".join(folded)
        ambiguous = _FIRST_NAME if key in FIRST_NAMES else _COMMON_WORD if key in COMMON_WORDS else 0
        forms = [(folded, False)]
        first = folded[0]
        if not _is_latin(first):
            forms += [([prefix + first, *folded[1:]], True) for prefix in _AR_PROCLITICS]
            if first.startswith("ال") and len(first) > 3:
                forms += [([prefix + first[2:], *folded[1:]], True) for prefix in _AR_LAM_ARTICLE]
        for tokens_form, variant in forms:
            pattern = " ".join(tokens_form)
            candidates = patterns.setdefault(pattern, {})
            candidate = candidates.get(index)
            if candidate is None:
                candidates[index] = _Candidate(index, {signature}, variant, ambiguous)
            else:
                candidate.signatures.add(signature)
                candidate.variant = candidate.variant and variant

    def find(self, headline="", standfirst="", body="", text=None):
        """The regions and actors named in a story: its body as HTML, or already as plain `text`."""
        head = words(headline)
        tokens = [*head, "\n", *words(standfirst), "\n", *words(plain_text(body) if text is None else text)]
        folded = _fold_tokens(tokens)
        title_case = _is_title_case(head)
        haystack = f" {' '.join(folded)} "
        raw = []
        if self.size:
            # No folded token holds a space, so the spaces before a match's closing space are one more than
            # the index of its last token; matches come in order of their end, so they are counted once.
            spaces, counted = 0, 0
            for end, (length, _chars, candidates) in self.automaton.iter(haystack):
                spaces += haystack.count(" ", counted, end)
                counted = end
                raw.append((spaces - length, length, candidates))
        raw.sort(key=lambda m: (-m[1], m[0]))
        taken = bytearray(len(tokens))
        mentions = {}
        named = bytearray(len(tokens))  # tokens inside any raw match: parts of gazetteer names
        for start, length, _candidates in raw:
            named[start : start + length] = b"\x01" * length
        context = _Context(tokens, folded, len(head), title_case, named)
        for start, length, candidates in raw:
            if any(taken[start : start + length]):
                continue
            if len(candidates) == 1:
                accepted = (
                    candidates
                    if context.accepts(self.entities[candidates[0].entity], candidates[0], start, length)
                    else ()
                )
            else:
                accepted = [c for c in candidates if context.accepts(self.entities[c.entity], c, start, length)]
            if not accepted:
                continue
            taken[start : start + length] = b"\x01" * length
            for candidate in accepted:
                index = self._governorate_if_named_so(candidate.entity, start, length, folded)
                count, doubt = mentions.get(index, (0, 3))
                mentions[index] = (count + 1, min(doubt, candidate.ambiguous))
        return self._found(mentions)

    def _governorate_if_named_so(self, index, start, length, folded):
        governorate = self.entities[index].governorate
        if governorate is None:
            return index
        before = folded[max(start - 2, 0) : start]
        after = folded[start + length : start + length + 1]
        if (len(before) == 2 and before[1] == "of" and before[0] in _PROVINCE_WORDS) or (
            after and after[0] in _PROVINCE_WORDS
        ):
            return self.index_of.get(("region", governorate), index)
        return index

    def _found(self, mentions):
        sure = [self.entities[i] for i, (_count, doubt) in mentions.items() if not doubt]
        countries = {e.country for e in sure if e.country and not e.is_person}
        found = Found()
        for index, (count, doubt) in mentions.items():
            entity = self.entities[index]
            if doubt == _FIRST_NAME and not sure:
                continue  # a first name with nothing else from the gazetteer is not enough evidence
            if doubt == _COMMON_WORD and (entity.is_person or entity.country not in countries):
                continue  # a common word needs its entry named plainly, or a neighbour from its country
            found.mentions[entity] = count
            (found.regions if entity.kind == "region" else found.actors).add(entity.pk)
        return found


def _is_title_case(tokens):
    """True for a headline Written Like This (capitals then say nothing about names)."""
    long_words = [t for t in tokens if _is_word(t) and len(t) > 3 and _is_latin(t) and t[0].isalpha()]
    return len(long_words) >= 3 and sum(t[0].isupper() for t in long_words) >= 0.8 * len(long_words)


class _Context:
    """The context checks for one story's tokens."""

    def __init__(self, tokens, folded, headline_length, title_case, named):
        self.tokens, self.folded = tokens, folded
        self.headline_length, self.title_case = headline_length, title_case
        self.named = named

    def accepts(self, entity, candidate, start, length):
        span = self.tokens[start : start + length]
        if _is_latin(span[0]) and not any(_fits(s, span) for s in candidate.signatures):
            return False
        before = self.folded[start - 1] if start > 0 else ""
        if entity.kind == "region" and before in TITLES:
            return False
        in_title_headline = self.title_case and start < self.headline_length
        sentence_start = in_title_headline or self._starts_sentence(start)
        if candidate.ambiguous == _COMMON_WORD and _is_latin(span[0]) and sentence_start:
            return False
        if candidate.ambiguous and self._next_to_unknown_name(start, length):
            return False
        # A surname alone next to a first name that is not this person's is someone else.
        surname_only = entity.is_person and length == 1 and not in_title_headline
        return not (surname_only and self._next_to_unknown_name(start, 1))

    def _starts_sentence(self, start):
        return start == 0 or not _is_word(self.tokens[start - 1])

    def _capitalised_stranger(self, index):
        if not 0 <= index < len(self.tokens):
            return False
        token, folded = self.tokens[index], self.folded[index]
        if not (_is_word(token) and _is_latin(token) and token[:1].isupper()):
            return False
        return folded not in NOT_NAME_PARTS and folded not in TITLES and not self.named[index]

    def _next_to_unknown_name(self, start, length):
        before = start - 1
        while before >= 0 and self.folded[before] in {"al", "el", "ad", "ar", "as", "ash", "az", "ez", "bin", "ibn"}:
            before -= 1
        return self._capitalised_stranger(before) or self._capitalised_stranger(start + length)


# --- building and caching -------------------------------------------------------------------------------

_CACHE_VERSION_KEY = "newsroom:gazetteer-version"
_built = {"stamp": None, "matcher": None}


def gazetteer_stamp():
    """Something that changes whenever the gazetteer does: row counts and highest ids, plus a version
    that saves and deletes bump (renames keep counts), in one query."""
    parts = []
    for model in (Region, RegionAlias, Actor, ActorAlias):
        table = connection.ops.quote_name(model._meta.db_table)
        parts.append(f"(SELECT COUNT(*) FROM {table}), (SELECT MAX(id) FROM {table})")
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(parts)}")
        row = cursor.fetchone()
    return (*row, cache.get(_CACHE_VERSION_KEY, 0))


def gazetteer_changed():
    """Tell every process that the gazetteer changed (their matchers rebuild on next use)."""
    try:
        cache.incr(_CACHE_VERSION_KEY)
    except ValueError:
        cache.set(_CACHE_VERSION_KEY, 1, None)
    _built["stamp"] = None


@receiver([post_save, post_delete], sender=Region)
@receiver([post_save, post_delete], sender=Actor)
@receiver([post_save, post_delete], sender=RegionAlias)
@receiver([post_save, post_delete], sender=ActorAlias)
def _vocabulary_saved(sender, **kwargs):
    """A name may have changed: the cached matchers are stale (a cache purge, nothing decided here)."""
    gazetteer_changed()


def _countries(parents):
    """{region pk: pk of the country (top of the hierarchy) it is in}."""
    country = {}
    for pk in parents:
        chain, seen = pk, set()
        while parents.get(chain) and chain not in seen:
            seen.add(chain)
            chain = parents[chain]
        country[pk] = chain
    return country


def _governorates(rows, parents):
    """{city pk: governorate pk} for cities whose parent governorate is named after them (Deir ez-Zor)."""
    names = {pk: name_key(name) for pk, _slug, name, _ar, _kind, _parent in rows}
    kinds = {pk: kind for pk, _slug, _name, _ar, kind, _parent in rows}
    found = {}
    for pk, parent in parents.items():
        if parent and kinds.get(parent) == Region.Kind.GOVERNORATE and names[parent].startswith(names[pk]):
            found[pk] = parent
    return found


def build_matcher():
    """A fresh matcher from the database (five queries)."""
    rows = list(Region.objects.values_list("pk", "slug", "name", "name_ar", "kind", "parent_id"))
    parents = {pk: parent for pk, *_rest, parent in rows}
    country, governorate = _countries(parents), _governorates(rows, parents)
    regions = {
        pk: (Entity("region", pk, slug, name, False, country[pk], governorate.get(pk)), [name, name_ar])
        for pk, slug, name, name_ar, _kind, _parent in rows
    }
    for entry_id, name in RegionAlias.objects.values_list("entry_id", "name"):
        regions[entry_id][1].append(name)
    actors = {}
    for pk, slug, name, name_ar, kind, home in Actor.objects.values_list(
        "pk", "slug", "name", "name_ar", "kind", "home_region_id"
    ):
        entity = Entity("actor", pk, slug, name, kind == Actor.Kind.PERSON, country.get(home))
        actors[pk] = (entity, [name, name_ar])
    for entry_id, name in ActorAlias.objects.values_list("entry_id", "name"):
        actors[entry_id][1].append(name)
    return Matcher([*regions.values(), *actors.values()])


def get_matcher():
    """The cached matcher, rebuilt if the gazetteer changed since it was built (one query to check)."""
    stamp = gazetteer_stamp()
    if _built["matcher"] is None or _built["stamp"] != stamp:
        _built["matcher"], _built["stamp"] = build_matcher(), stamp
    return _built["matcher"]


# --- suggestions for the desk -------------------------------------------------------------------------


@dataclass
class Suggestions:
    """Regions and actors the tagger finds in an article that it is not tagged with and nobody rejected."""

    regions: list
    actors: list


class Rejected(NamedTuple):
    """What the desk refused for one story: the places and actors it is not about, and the places it declined as
    its dateline (sets of ids)."""

    regions: set
    actors: set
    datelines: set


NOTHING_REJECTED = Rejected(frozenset(), frozenset(), frozenset())


def rejected_ids(article_ids):
    """{article id: Rejected} for `article_ids`, in one query."""
    rejected = {pk: Rejected(set(), set(), set()) for pk in article_ids}
    rows = RejectedSuggestion.objects.filter(article_id__in=article_ids)
    for article_id, region_id, actor_id, as_dateline in rows.values_list(
        "article_id", "region_id", "actor_id", "as_dateline"
    ):
        regions, actors, datelines = rejected[article_id]
        (datelines if as_dateline else regions if region_id else actors).add(region_id or actor_id)
    return rejected


def suggest(article, matcher=None, content=None):
    """What the tagger would add to `article` (already-tagged and rejected entries left out); to `content` instead
    of the article's row when given (a revision's content: the pending update the desk works on)."""
    if content is None:
        texts = (article.headline, article.standfirst, article.body)
        tagged_regions = set(ArticleRegion.objects.filter(content_object=article).values_list("tag_id", flat=True))
        tagged_actors = set(ArticleActor.objects.filter(content_object=article).values_list("tag_id", flat=True))
    else:
        texts = (content.get("headline", ""), content.get("standfirst", ""), content.get("body", ""))
        tagged_regions, tagged_actors = set(content.get("regions", [])), set(content.get("actors", []))
    found = (matcher or get_matcher()).find(*texts)
    rejected_regions, rejected_actors, _datelines = rejected_ids([article.pk])[article.pk]
    region_ids = found.regions - tagged_regions - rejected_regions
    actor_ids = found.actors - tagged_actors - rejected_actors
    return Suggestions(
        regions=list(Region.objects.filter(pk__in=region_ids).order_by("name")),
        actors=list(Actor.objects.filter(pk__in=actor_ids).order_by("name")),
    )


def _entry(kind, pk):
    model = {"region": Region, "actor": Actor}.get(kind)
    if model is None:
        raise ValueError(f"unknown kind of tag: {kind!r}")
    return model.objects.get(pk=pk)


def _purge_after_commit(article_ids):
    """New tags show on the stories' pages (chips) and put them on tag pages: purge those once committed."""
    if article_ids:
        transaction.on_commit(partial(caching.purge_stories, *article_ids))


@transaction.atomic
@transaction.atomic
def reject_suggestion(article, kind, pk, by=None):
    """Remember that `article` is not about this region or actor: it is never suggested or auto-added again."""
    entry = _entry(kind, pk)
    RejectedSuggestion.objects.get_or_create(
        article=article, as_dateline=False, **{kind: entry}, defaults={"rejected_by": by}
    )
    return entry


# --- re-tagging existing articles ----------------------------------------------------------------------


@dataclass
class RetagReport:
    """What a re-tagging run did."""

    articles: int = 0
    changed: int = 0
    region_links: int = 0
    actor_links: int = 0
    datelines: int = 0

    def __str__(self):
        return (
            f"articles {self.articles}, changed {self.changed}, "
            f"regions added {self.region_links}, actors added {self.actor_links}, datelines added {self.datelines}"
        )


def tag_links(found_by_article, rejected=None):
    """Through-model rows for {article id: Found}, leaving out rejected entries."""
    rejected = rejected or {}
    regions, actors = [], []
    for article_id, found in found_by_article.items():
        no_regions, no_actors, _datelines = rejected.get(article_id, NOTHING_REJECTED)
        regions += [ArticleRegion(content_object_id=article_id, tag_id=pk) for pk in found.regions - set(no_regions)]
        actors += [ArticleActor(content_object_id=article_id, tag_id=pk) for pk in found.actors - set(no_actors)]
    return regions, actors


def _links(through, article_ids):
    return set(through.objects.filter(content_object_id__in=article_ids).values_list("content_object_id", "tag_id"))


def retag(queryset=None, batch_size=500, dry_run=False, progress=None):
    """Run the tagger over existing articles, batch by batch, adding the tags it finds (never removing any), and
    giving a story without a dateline place the one its text opens with (`lead_dateline`), when the gazetteer
    knows it and the desk has not declined it for that story.

    Each batch costs a fixed number of queries and is written in one transaction; rejected suggestions
    stay rejected. With `dry_run` nothing is written and the report says what would have been added.
    """
    queryset = (queryset if queryset is not None else Article.objects.all()).order_by("pk")
    matcher = get_matcher()
    report, last, places = RetagReport(), 0, None
    while True:
        columns = ("pk", "headline", "standfirst", "body", "dateline_place_id")
        rows = list(queryset.filter(pk__gt=last).values_list(*columns)[:batch_size])
        if not rows:
            return report
        last = rows[-1][0]
        found, leads = {}, {}
        for pk, headline, standfirst, body, place in rows:
            text = plain_text(body)  # once, for the tagger and the dateline
            found[pk] = matcher.find(headline, standfirst, text=text)
            if place is None and (lead := lead_dateline(text)):
                leads[pk] = lead
        if leads and places is None:  # the gazetteer's names, loaded the first time a story opens with a dateline
            places = Vocabulary(Region, RegionAlias)
        ids = list(found)
        rejected = rejected_ids(ids)
        datelines = {
            pk: place
            for pk, lead in leads.items()
            if (place := places.find(lead)) and place not in rejected[pk].datelines  # the desk declined it
        }
        have_regions = _links(ArticleRegion, ids)
        have_actors = _links(ArticleActor, ids)
        regions, actors = tag_links(found, rejected)
        regions = [r for r in regions if (r.content_object_id, r.tag_id) not in have_regions]
        actors = [a for a in actors if (a.content_object_id, a.tag_id) not in have_actors]
        changed = {link.content_object_id for link in [*regions, *actors]} | set(datelines)
        given = len(datelines)  # a dry run: that would be given
        if not dry_run:
            with transaction.atomic():
                ArticleRegion.objects.bulk_create(regions, ignore_conflicts=True)
                ArticleActor.objects.bulk_create(actors, ignore_conflicts=True)
                given = give_datelines(datelines) if datelines else 0
                _purge_after_commit(changed)
        report.articles += len(rows)
        report.changed += len(changed)
        report.region_links += len(regions)
        report.actor_links += len(actors)
        report.datelines += given
        if progress:
            progress(len(rows))


# A wire story's opening dateline: the place in capitals (English) or in Arabic script; perhaps its country and date
# after commas, or an Arabic date without one; then the country and agency in brackets, and a dash:
# "BAGHOUZ, Syria (AFP) - ", "MOSUL, Iraq, March 5 (AP) — ", "DEIR EZZOR —", "بغداد - (أ ف ب) - ",
# "الباغوز (سوريا) (أ ف ب) - ", "بغداد 25 نوفمبر (رويترز) - ". A byline line may come first ("By Jane Doe", "بقلم …").
_LEAD_DATELINE = re.compile(
    r"(?:\s*(?:By|BY|بقلم|كتب)\s[^\n]{1,60}\n)?"
    r"\s*(?P<place>[A-Z][A-Z'’.\- ]{1,38}?|[\u0621-\u064a][\u0621-\u0652 ]{1,38}?)"
    r"(?:\s*[,،]\s*[^\s,،()\-–—][^,،()\-–—]{0,28}?){0,3}"
    r"(?:\s+[0-9\u0660-\u0669]{1,2}(?:\s+[\u0621-\u064a]+){1,3})?"
    r"\s*(?:\([^()]{1,30}\)\s*){0,2}[-–—]{1,2}\s"
)


def lead_dateline(text):
    """The place named by the dateline that opens `text` (a story's plain text), as written, or "": a wire's
    "BAGHOUZ, Syria (AFP) - …" gives "BAGHOUZ". Only a candidate: the importer (when the input names no dateline
    of its own) and `retag` (for a story without one) use it when the gazetteer knows it."""
    match = _LEAD_DATELINE.match(text[:180])
    return match.group("place").strip() if match else ""


def give_datelines(datelines):
    """Set each story's dateline place ({article id: place id}) in one query, where it still has none (the desk
    may have picked one since the stories were read); returns how many were set."""
    place = Case(*(When(pk=pk, then=Value(region)) for pk, region in datelines.items()))
    return Article.objects.filter(pk__in=list(datelines), dateline_place__isnull=True).update(dateline_place_id=place)


def detect_language(*texts):
    """ "ar" when the text is mostly Arabic script, else "en"."""
    return "ar" if is_arabic(" ".join(t for t in texts if t)[:600]) else "en"
