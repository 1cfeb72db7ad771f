"""Live updates: short timestamped posts a publisher adds to one published story (a live blog)."""

import re
from html import unescape

from django.conf import settings
from django.db import models
from django.db.models import OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from articles.models.article import LIVE_UPDATES_SHOWN, Article, Author
from articles.models.fields import FoldedWordsField, SanitisedHTMLField, plain_text

__all__ = ["LIVE_UPDATES_SHOWN", "LiveUpdate", "LiveUpdateQuerySet", "first_words", "typed_text"]


def beyond(posted_at, pk, newer):
    """The updates that come before (`newer`) or after the one posted at `posted_at` with id `pk` in the pages'
    order, newest first (`LiveUpdate.Meta.ordering`): values, or `OuterRef`s in a subquery."""
    way = "gt" if newer else "lt"
    return models.Q(**{f"posted_at__{way}": posted_at}) | models.Q(posted_at=posted_at, **{f"pk__{way}": pk})


class LiveUpdateQuerySet(models.QuerySet):
    """Live updates, with the ones readers may see (`shown()`)."""

    def shown(self):
        """The updates not removed: what the story page, its structured data and the desk's list show."""
        return self.filter(removed_at__isnull=True)

    def with_newer(self):
        """Each update with `newer`: how many updates readers see on its story come before it, newest first (a
        subquery per row, read from the story's newest-first index), which says the page that shows it
        (`LiveUpdate.address_on`)."""
        later = beyond(OuterRef("posted_at"), OuterRef("pk"), newer=True)
        newer = LiveUpdate.objects.shown().filter(later, article=OuterRef("article")).order_by()
        counted = newer.values("article").annotate(n=models.Count("pk")).values("n")
        return self.annotate(newer=Coalesce(Subquery(counted), 0))


class LiveUpdate(models.Model):
    """One update on a published story: when, an optional key-event title, the text (sanitised HTML), an
    optional byline (`author`) and an optional picture from the library (`image`).

    Written only by `workflow.post_live_update`, `edit_live_update` and `remove_live_update`, which also keep the
    story's `last_live_update_at`. A removed update stays (for the audit trail) but readers never see it; the
    words an edit replaced are in the edit's event in the story's workflow log."""

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="live_updates", verbose_name=_("article")
    )
    posted_at = models.DateTimeField(_("posted"))
    title = models.CharField(_("title"), max_length=200, blank=True, help_text=_("An optional key-event headline."))
    text = SanitisedHTMLField(_("text"))
    # Who the update is by, as readers see it: the desk picks a writer, who need not be the staff account posting
    # it (`posted_by`). Without one, the update carries no byline (the story's byline covers it).
    author = models.ForeignKey(
        Author,
        verbose_name=_("byline"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="live_updates",
    )
    # A picture from the library shown with the update; deleting it leaves the update without one.
    image = models.ForeignKey(
        "articles.Image",
        verbose_name=_("picture"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="live_updates",
    )
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("posted by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    edited_at = models.DateTimeField(_("last edited"), null=True, blank=True)
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("last edited by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    removed_at = models.DateTimeField(_("removed"), null=True, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("removed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # Its title's and text's folded words, which the story's search document takes in (SearchDocument).
    search_words = FoldedWordsField(_("search words"), sources=("title", "text"))

    objects = LiveUpdateQuerySet.as_manager()

    class Meta:
        ordering = ["-posted_at", "-pk"]
        verbose_name = _("live update")
        verbose_name_plural = _("live updates")
        indexes = [models.Index(fields=["article", "-posted_at"], name="live_update_article_newest")]

    def __str__(self):
        return self.headline

    def address_on(self, article):
        """The address of this update where readers see it (read `with_newer`): its anchor on the story's page,
        or on the page of older updates that holds it."""
        page = 1 + self.newer // LIVE_UPDATES_SHOWN
        return f"{article.live_updates_url(page)}#update-{self.pk}"

    @property
    def headline(self):
        """The title, else the first words of the text: what the audit trail and structured data name it by."""
        return self.title or first_words(plain_text(self.text))

    @property
    def typed_text(self):
        """The text as the publisher typed it (see `typed_text`): what the desk's edit form starts from."""
        return typed_text(self.text)


def first_words(text, length=80):
    """`text` cut at a word boundary to at most `length` characters, with "…" when cut."""
    if len(text) <= length:
        return text
    return text[:length].rsplit(" ", 1)[0].rstrip(" ,.;:،؛") + "…"


_PARAGRAPH_END = re.compile(r"</(?:p|figure)\s*>", re.IGNORECASE)  # a video (a figure) is a paragraph of its own
_LINE_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)
_TAG = re.compile(r"<[^>]*>")


def typed_text(html):
    """The plain text a live update's HTML was made from (the reverse of `workflow.live_update_html`): paragraphs
    (and videos, as their link's text) separated by a blank line, `<br>` as a line break, every other tag dropped
    and entities read back."""
    paragraphs = (unescape(_TAG.sub("", _LINE_BREAK.sub("\n", part))).strip() for part in _PARAGRAPH_END.split(html))
    return "\n\n".join(p for p in paragraphs if p)
