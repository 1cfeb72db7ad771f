"""Model fields with rules attached: rich text that is sanitised on every way into the database."""

import html
import re

import nh3
from django.db import models
from django.db.models.sql.compiler import SQLInsertCompiler

from articles import embeds, normalisation
from articles.normalisation import fold

# What a story body may contain. Everything else (scripts, styles, event handlers, iframes, forms)
# is removed; links get rel="noopener noreferrer" and only web and mail schemes. A figure may name a video
# (data-embed, data-video-id and an unlisted Vimeo video's data-video-hash: articles/embeds.py), kept only when
# they are valid together.
ALLOWED_TAGS = {
    "p",
    "br",
    "h2",
    "h3",
    "h4",
    "strong",
    "b",
    "em",
    "i",
    "u",
    "s",
    "sub",
    "sup",
    "blockquote",
    "q",
    "cite",
    "ul",
    "ol",
    "li",
    "a",
    "abbr",
    "span",
    "bdi",
    "figure",
    "figcaption",
    "img",
    "hr",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "caption",
}
_DIRECTIONAL = {"dir", "lang"}
ALLOWED_ATTRIBUTES = {
    "*": _DIRECTIONAL,
    "a": {"href", "title", "hreflang"} | _DIRECTIONAL,
    "abbr": {"title"} | _DIRECTIONAL,
    "img": {"src", "alt", "width", "height", "data-image-id"},
    "figure": {"data-embed", "data-video-id", "data-video-hash"} | _DIRECTIONAL,
    "th": {"scope", "colspan", "rowspan"},
    "td": {"colspan", "rowspan"},
    "ol": {"start"},
}
URL_SCHEMES = {"http", "https", "mailto"}


class CleanHTML(str):
    """HTML that `sanitise_html` produced: sanitising it again would change nothing, so it is not redone."""


def sanitise_html(html):
    """Return `html` with only the allowed tags, attributes and URL schemes left; idempotent."""
    if not html:
        return ""
    if isinstance(html, CleanHTML):
        return html
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer",
        strip_comments=True,
    )
    # A per-attribute callback in nh3 would cost a Python call per attribute of every body; the embed pair is
    # checked once, afterwards, on the few bodies that have one (and the two must agree with each other anyway).
    return CleanHTML(embeds.checked_embeds(clean))


class SanitisedHTMLField(models.TextField):
    """A TextField whose value is sanitised before every save, bulk create or bulk update."""

    def pre_save(self, model_instance, add):
        value = sanitise_html(getattr(model_instance, self.attname))
        setattr(model_instance, self.attname, value)
        return value

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        # A plain str for the database driver (CleanHTML is only a marker for this process).
        return str(sanitise_html(value)) if isinstance(value, str) else value


# Arabic writes conjunctions, prepositions and the article onto the word (ARABIC.md). The search document
# also carries each Arabic word without them, so "العراق" finds "والعراق" and "بالعراق"; longest first.
_ARABIC_PREFIXES = ("وال", "بال", "فال", "كال", "لل", "ال", "و", "ف", "ب", "ل", "ك")
_WORD = re.compile(r"\w+")
_TAG = re.compile(r"<[^>]*>")
_ASCII_NOT_WORD = str.maketrans({chr(c): " " for c in range(128) if not _WORD.fullmatch(chr(c))})


def plain_text(markup):
    """The text of sanitised HTML: tags become spaces (so "</p><p>" still separates words), entities characters."""
    return " ".join(spaced_text(markup).split())


def spaced_text(markup):
    """`plain_text` with its whitespace as it falls (cheaper, for what splits the text into words anyway)."""
    return html.unescape(_TAG.sub(" ", markup or ""))


def search_words(text):
    """The folded words of `text` for the search index: each word, plus Arabic words without attached prefixes."""
    folded = fold(plain_text(text))
    if folded.isascii():
        # Every character that is not a word character becomes a space: the same words as \w+ finds, in C.
        return " ".join(folded.translate(_ASCII_NOT_WORD).split())
    if not normalisation.ARABIC_LETTERS.search(folded):
        # No Arabic word, so no prefix to take off: the words as they are (one C pass, not one step per word).
        return " ".join(_WORD.findall(folded))
    words = []
    for word in _WORD.findall(folded):
        words.append(word)
        if normalisation.ARABIC_LETTERS.match(word):
            words.extend(arabic_stems(word))
    return " ".join(words)


def arabic_stems(word):
    """The forms of a folded Arabic `word` without an attached conjunction, preposition or article, as the search
    document holds them beside the word (`search_words`) and a query word looks for them too ("بدمشق" finds
    "دمشق"); a remainder shorter than three letters is no form ("بيت" is not "ب" + "يت")."""
    forms = []
    for prefix in _ARABIC_PREFIXES:
        rest = word[len(prefix) :]
        if word.startswith(prefix) and len(rest) >= 3:
            forms.append(rest)
            # "للعراق" is "ل" + "العراق", "والعراق" is "و" + "العراق": keep the form with the article too.
            if len(prefix) > 1 and prefix.endswith("ل") and prefix != "ال":
                forms.append("ال" + rest)
    return forms


def tag_lexemes(regions=(), actors=()):
    """The lexemes standing for links to `regions` and `actors` (ids) in an article's `search_tags` on
    PostgreSQL: '~r12', '~a7'. No query word begins with '~', so no prefix search reaches them."""
    return [f"~r{pk}" for pk in regions] + [f"~a{pk}" for pk in actors]


# How much of a story's live updates' folded words its search document takes, newest first: a long blog's
# words, with its body's, must stay inside PostgreSQL's tsvector (1 MB); 100,000 characters is about 15,000
# words, which even all different would take a fifth of it.
LIVE_WORDS_LIMIT = 100_000


class SearchDocument(models.Expression):
    """The value written to an article's search column, built from its folded title, summary and body, and,
    when it rewrites a stored article, the words of the article's live updates readers see.

    On PostgreSQL it is a weighted tsvector (title A, standfirst B, body C, live updates D) of text folded in
    Python by `articles.normalisation.fold`, so one folding serves the index and the query. Elsewhere it is
    the folded text itself: the title on the first line, then the rest (the simple backend searches it).

    The live updates' words are each update's own folded words (`LiveUpdate.search_words`), read by a
    subquery of the UPDATE that writes the document, so every way of rewriting a story's document (a save, a
    bulk update, `refresh_search`, an import) keeps them; an INSERT has none to read (a new story has no
    updates). `live=False` leaves them out (a migration that runs before live updates existed).
    """

    def __init__(self, title, summary, body, words=None, live=True):
        """From the title, summary and body texts; `words` gives their `search_words` when already computed."""
        super().__init__(output_field=models.TextField())
        self.parts = words or (search_words(title), search_words(summary), search_words(body))
        self.live = live

    def _live_words(self, compiler, connection):
        """SQL for the live updates' words of the row being updated, newest first and at most LIVE_WORDS_LIMIT
        characters (a text, maybe NULL), or None in an INSERT."""
        if not self.live or isinstance(compiler, SQLInsertCompiler):
            return None
        from articles.models import LiveUpdate

        quote = connection.ops.quote_name
        story = f"{quote(compiler.query.model._meta.db_table)}.{quote(compiler.query.model._meta.pk.column)}"
        shown = (
            f"FROM {quote(LiveUpdate._meta.db_table)} u "
            f"WHERE u.article_id = {story} AND u.removed_at IS NULL AND u.search_words <> ''"
        )
        if connection.vendor == "postgresql":
            words = "string_agg(u.search_words, ' ' ORDER BY u.posted_at DESC, u.id DESC)"
            return f"(SELECT left({words}, {int(LIVE_WORDS_LIMIT)}) {shown})"
        newest_first = f"SELECT u.search_words AS words {shown} ORDER BY u.posted_at DESC, u.id DESC"
        return f"(SELECT substr(group_concat(words, ' '), 1, {int(LIVE_WORDS_LIMIT)}) FROM ({newest_first}))"

    def as_sql(self, compiler, connection):
        title, summary, body = self.parts
        live = self._live_words(compiler, connection)
        if live is None:
            return "%s", [f"{title}\n{summary} {body}"]
        return f"(%s || COALESCE(' ' || {live}, ''))", [f"{title}\n{summary} {body}"]

    def as_postgresql(self, compiler, connection):
        sql = " || ".join(f"setweight(to_tsvector('simple'::regconfig, %s), '{w}')" for w in "ABC")
        live = self._live_words(compiler, connection)
        if live is not None:
            sql += f" || setweight(to_tsvector('simple'::regconfig, COALESCE({live}, '')), 'D')"
        return f"({sql})", list(self.parts)


class FoldedWordsField(models.TextField):
    """The folded words (`search_words`) of other fields of the same row, rewritten on every save and bulk
    create: what a story's search document reads of a live update. A queryset `update()` of those fields
    must write it too (`words_of`)."""

    def __init__(self, *args, sources=(), **kwargs):
        kwargs.setdefault("default", "")
        kwargs.setdefault("editable", False)
        self.sources = sources
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs.pop("editable", None)
        kwargs["sources"] = self.sources
        return name, path, args, kwargs

    def words_of(self, instance):
        return search_words(" ".join(getattr(instance, name) or "" for name in self.sources))

    def pre_save(self, model_instance, add):
        value = self.words_of(model_instance)
        setattr(model_instance, self.attname, value)
        return value


class SearchDocumentField(models.Field):
    """The article's search document, rewritten from the article's text on every save and bulk write.

    A `tsvector` column on PostgreSQL (with a GIN index added by migration), plain text elsewhere.
    `save()` and `bulk_create()` fill it through `pre_save`; `ArticleQuerySet.bulk_update()` adds it when
    a text field is updated. A raw `QuerySet.update()` of the text bypasses it: call `refresh_search()`.
    """

    description = "Search document (tsvector on PostgreSQL, folded text elsewhere)"

    def __init__(self, *args, sources=("kicker headline", "standfirst", "body"), **kwargs):
        kwargs.setdefault("null", True)
        kwargs.setdefault("editable", False)
        self.sources = sources
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs.pop("null", None)
        kwargs.pop("editable", None)
        return name, path, args, kwargs

    def db_type(self, connection):
        return "tsvector" if connection.vendor == "postgresql" else "text"

    def texts_of(self, instance):
        """The title, summary and body texts of `instance` that its document is built from."""
        return tuple(" ".join(getattr(instance, name) or "" for name in group.split()) for group in self.sources)

    def words_for(self, instance):
        """(texts, words) of `instance`: what `document_for` needs, computable in another process (the importer's
        workers) and handed back as `instance.search_words_of = (texts, words)`."""
        texts = self.texts_of(instance)
        return texts, tuple(search_words(text) for text in texts)

    def document_for(self, instance):
        """The expression that writes `instance`'s current text into the column."""
        texts = self.texts_of(instance)
        known = getattr(instance, "search_words_of", None)
        # Words computed earlier count only for exactly the text the instance holds now.
        if known is not None and known[0] == texts:
            return SearchDocument(*texts, words=known[1])
        return SearchDocument(*texts)

    @property
    def source_fields(self):
        """Names of the fields the document is built from."""
        return {name for group in self.sources for name in group.split()}

    def pre_save(self, model_instance, add):
        return self.document_for(model_instance)
