"""What the workflow records: one audit event per move, and the public corrections of a story."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from articles.models.article import Article, ArticleStatus
from articles.querysets import CorrectionQuerySet


class ArticleEvent(models.Model):
    """One workflow move: who did what to which article, from which state to which, when and why."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="events", verbose_name=_("article"))
    action = models.CharField(_("action"), max_length=30)
    from_status = models.CharField(_("from"), max_length=20, choices=ArticleStatus.choices)
    to_status = models.CharField(_("to"), max_length=20, choices=ArticleStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="article_events",
        help_text=_("Empty for the system (scheduled publishing, imports)."),
    )
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("workflow event")
        verbose_name_plural = _("workflow events")
        indexes = [models.Index(fields=["article", "-created_at"], name="event_article_recent")]

    def __str__(self):
        who = self.actor or _("system")
        return f"{self.get_action_display()} by {who}"

    def get_action_display(self):
        """The move as the desk's buttons name it, in the active language ("Publish", "انشر"); an action that is no
        longer a move, by its own name."""
        from articles.workflow import MOVES  # the workflow is built on these models

        move = MOVES.get(self.action)
        return str(move.label) if move and move.label else self.action.replace("_", " ")


class Correction(models.Model):
    """A public note on a published story: a correction, clarification, update or retraction."""

    class Kind(models.TextChoices):
        CORRECTION = "correction", _("Correction")
        CLARIFICATION = "clarification", _("Clarification")
        UPDATE = "update", _("Update")
        RETRACTION = "retraction", _("Retraction")

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="corrections")
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.CORRECTION)
    text = models.TextField(_("public note"))
    created_at = models.DateTimeField(_("published"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = CorrectionQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("correction")
        verbose_name_plural = _("corrections")
        constraints = [models.CheckConstraint(condition=~models.Q(text=""), name="correction_has_text")]
        # The public corrections page and feed read the newest notes first and stop after a page.
        indexes = [models.Index(fields=["-created_at", "-id"], name="correction_newest")]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.text[:60]}"
