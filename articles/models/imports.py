"""What the importer remembers about the input files it read, so a re-run need not parse them again."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportedInput(models.Model):
    """One input (a file, or a member of an archive) that imported cleanly, and the stories it gave.

    `digest` fingerprints the input's bytes with every import option that shapes its stories; `stories` is
    JSON, a list of `[source, source id, text fingerprint, import digest, where]`, one per story, decoded only
    by the import worker that meets the input again (see `articles.importers.pipeline`).
    """

    name = models.TextField(_("input"), unique=True)  # as the import names it: path, or path:member
    digest = models.CharField(_("digest"), max_length=40)
    stories = models.TextField(_("stories"))
    recorded_at = models.DateTimeField(_("recorded"))

    class Meta:
        verbose_name = _("imported input")
        verbose_name_plural = _("imported inputs")

    def __str__(self):
        return self.name
