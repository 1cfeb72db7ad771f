"""What an editor decided about the tagger's suggestions: a rejected tag is never suggested or re-added again."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from articles.models.taxonomy import Actor, Region


class RejectedSuggestion(models.Model):
    """One region or one actor that an editor said an article is not about; or (`as_dateline`) a place the desk
    declined as the story's dateline when the story's opening named it."""

    article = models.ForeignKey(
        "articles.Article", on_delete=models.CASCADE, related_name="rejected_suggestions", verbose_name=_("article")
    )
    region = models.ForeignKey(Region, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    actor = models.ForeignKey(Actor, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    rejected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    rejected_at = models.DateTimeField(_("rejected"), auto_now_add=True)
    as_dateline = models.BooleanField(
        _("as dateline"),
        default=False,
        help_text=_("Declined as the story's dateline (the story may still be about the place)."),
    )

    class Meta:
        verbose_name = _("rejected tag suggestion")
        verbose_name_plural = _("rejected tag suggestions")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(region__isnull=True, actor__isnull=False)
                | models.Q(region__isnull=False, actor__isnull=True),
                name="rejected_suggestion_one_entry",
            ),
            models.CheckConstraint(
                condition=models.Q(as_dateline=False) | models.Q(region__isnull=False),
                name="rejected_dateline_is_a_place",
            ),
            models.UniqueConstraint(
                fields=["article", "region", "as_dateline"],
                condition=models.Q(region__isnull=False),
                name="unique_rejected_region",
            ),
            models.UniqueConstraint(
                fields=["article", "actor"], condition=models.Q(actor__isnull=False), name="unique_rejected_actor"
            ),
        ]

    def __str__(self):
        return f"{self.article_id}: not {self.region or self.actor}{' as dateline' if self.as_dateline else ''}"
