"""Revisions: every content save of an article keeps a numbered JSON snapshot of what it said."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from articles.models.article import Article


class ArticleRevision(models.Model):
    """One saved state of an article's content (text, filing, byline, tags), numbered like `Article.version`.

    A revision is `applied` when its content went into the article row (what the desk and, once published,
    readers see), `pending` while an edit to a live story waits for "publish update", and `superseded` when
    a later edit replaced a pending one before it went live. At most one revision per article is pending.
    An import's update that the desk's work kept out of the article is `held`: recorded, restorable, not applied.

    A person's save records them in `created_by`; the importer's revisions have no person and `by_importer`
    set, as has the state a story was first recorded in when the importer wrote it. Neither is known of a
    revision whose person was deleted or of a state written before anyone kept track (`saved_by`).
    """

    class State(models.TextChoices):
        APPLIED = "applied", _("Saved to the article")
        PENDING = "pending", _("Pending update (not yet live)")
        SUPERSEDED = "superseded", _("Replaced before going live")
        HELD = "held", _("Imported, not applied (the desk's version was kept)")

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="revisions", verbose_name=_("article"))
    number = models.PositiveIntegerField(_("version"))
    content = models.JSONField(_("content"))
    state = models.CharField(_("state"), max_length=20, choices=State.choices, default=State.APPLIED)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="article_revisions",
    )
    by_importer = models.BooleanField(_("by the importer"), default=False)
    created_at = models.DateTimeField(_("when"), auto_now_add=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["-number"]
        verbose_name = _("revision")
        verbose_name_plural = _("revisions")
        constraints = [
            models.UniqueConstraint(fields=["article", "number"], name="unique_revision_number"),
            models.UniqueConstraint(
                fields=["article"], condition=models.Q(state="pending"), name="one_pending_revision_per_article"
            ),
            models.CheckConstraint(
                condition=models.Q(state__in=["applied", "pending", "superseded", "held"]), name="revision_state_known"
            ),
            models.CheckConstraint(
                condition=models.Q(by_importer=False) | models.Q(created_by__isnull=True),
                name="revision_by_a_person_or_the_importer",
            ),
        ]

    def __str__(self):
        return f"{self.article_id} v{self.number}"

    @property
    def saved_by(self):
        """Who saved this version, as the desk names them in its language: the person's full name (else their
        username), "the importer", or "" when nobody can tell. Load `created_by` with it (select_related)."""
        if self.created_by is not None:
            return self.created_by.get_full_name() or self.created_by.get_username()
        return gettext("the importer") if self.by_importer else ""
