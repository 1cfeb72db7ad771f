"""See also: the few stories the desk chose to lead a story's related box, in the desk's order."""

from django.db import models
from django.utils.translation import gettext_lazy as _

# How many stories the desk may choose for one story's related box.
SEE_ALSO_LIMIT = 3


class SeeAlso(models.Model):
    """One story chosen for another's related box, at its place there (0 comes first).

    The database refuses what the form refuses: a story choosing itself, the same story twice, two stories at
    one place, and a place past SEE_ALSO_LIMIT (so never more than that many for one story).
    """

    article = models.ForeignKey("articles.Article", on_delete=models.CASCADE, related_name="see_also_links")
    story = models.ForeignKey("articles.Article", on_delete=models.CASCADE, related_name="chosen_by_links")
    position = models.PositiveSmallIntegerField(_("position"), default=0, help_text=_("Lower comes first."))

    class Meta:
        ordering = ["position"]
        verbose_name = _("see also")
        verbose_name_plural = _("see also")
        constraints = [
            models.UniqueConstraint(fields=["article", "story"], name="see_also_story_once"),
            models.UniqueConstraint(fields=["article", "position"], name="see_also_one_story_per_place"),
            models.CheckConstraint(condition=~models.Q(article=models.F("story")), name="see_also_not_itself"),
            models.CheckConstraint(
                condition=models.Q(position__gte=0, position__lt=SEE_ALSO_LIMIT), name="see_also_at_most_three"
            ),
        ]

    def __str__(self):
        return f"{self.article_id}: {self.position}. {self.story_id}"


def see_also_problems(article_pk, ids):
    """Why `ids` (story ids, in the desk's order, as posted) cannot be `article_pk`'s chosen stories: a list of
    sentences, empty when they can. `article_pk` is None for a story not saved yet."""
    problems = []
    if len(set(ids)) != len(ids):
        problems.append(_("The same story is chosen more than once."))
    if len(set(ids)) > SEE_ALSO_LIMIT:
        problems.append(
            _("Choose at most %(limit)d stories to lead the related box (%(count)d chosen).")
            % {"limit": SEE_ALSO_LIMIT, "count": len(set(ids))}
        )
    if article_pk is not None and article_pk in ids:
        problems.append(_("A story cannot be chosen for its own related box."))
    return problems
