"""What the newsroom remembers about each staff member: for now, the language they chose for the desk."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


def offered_languages():
    """The languages the admin's menu offers (`settings.LANGUAGES`), as (code, name) pairs."""
    return settings.LANGUAGES


def is_offered(language):
    """True if `language` is the code of a language the site offers."""
    return any(code == language for code, _name in offered_languages())


class StaffProfileManager(models.Manager):
    def remember_language(self, user, language):
        """Save `language` as `user`'s choice for the desk and their e-mails; ValueError if it is not offered."""
        if not is_offered(language):
            raise ValueError(f"Not a language the site offers: {language!r}")
        profile, _created = self.update_or_create(user=user, defaults={"language": language})
        return profile


class StaffProfile(models.Model):
    """One staff member's settings. `language` is blank until they choose one in the admin's language menu;
    then the admin and the desk open in it wherever they sign in, and the workflow e-mails come in it."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="staff_profile",
        verbose_name=_("staff account"),
    )
    # The choices are read when used (a callable), so a language added to the settings needs no migration.
    language = models.CharField(
        _("language of the desk"),
        max_length=10,
        choices=offered_languages,
        blank=True,
        help_text=_("The admin, the desk and the workflow e-mails use it. Empty: not chosen yet."),
    )

    objects = StaffProfileManager()

    class Meta:
        verbose_name = _("staff profile")
        verbose_name_plural = _("staff profiles")

    def __str__(self):
        return str(self.user)
