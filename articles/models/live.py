"""Live updates: short timestamped posts a publisher adds to one published story (a live blog)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from articles.models.article import LIVE_UPDATES_SHOWN, Article
from articles.models.fields import SanitisedHTMLField, plain_text

__all__ = ["LIVE_UPDATES_SHOWN", "LiveUpdate", "first_words"]


class LiveUpdate(models.Model):
    """One update on a published story: when, an optional key-event title, and the text (sanitised HTML).

    Written only by `workflow.post_live_update`, which also stamps the story's `last_live_update_at`."""

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="live_updates", verbose_name=_("article")
    )
    posted_at = models.DateTimeField(_("posted"))
    title = models.CharField(_("title"), max_length=200, blank=True, help_text=_("An optional key-event headline."))
    text = SanitisedHTMLField(_("text"))
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("posted by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-posted_at", "-pk"]
        verbose_name = _("live update")
        verbose_name_plural = _("live updates")
        indexes = [models.Index(fields=["article", "-posted_at"], name="live_update_article_newest")]

    def __str__(self):
        return self.headline

    @property
    def headline(self):
        """The title, else the first words of the text: what the audit trail and structured data name it by."""
        return self.title or first_words(plain_text(self.text))


def first_words(text, length=80):
    """`text` cut at a word boundary to at most `length` characters, with "…" when cut."""
    if len(text) <= length:
        return text
    return text[:length].rsplit(" ", 1)[0].rstrip(" ,.;:،؛") + "…"
