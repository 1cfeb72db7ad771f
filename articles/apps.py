from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ArticlesConfig(AppConfig):
    """The newsroom app: articles, their taxonomy, workflow, import and public pages."""

    name = "articles"
    verbose_name = _("Newsroom")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from articles.frontend_purge import purge_story
        from articles.images.uploads import register_heif_reader
        from articles.notifications import notify_people_concerned
        from articles.signals import article_moved
        from articles.workflow_log import log_move
        from newsroom.staff_language import restore_saved_language

        article_moved.connect(notify_people_concerned, dispatch_uid="articles.notifications")
        article_moved.connect(log_move, dispatch_uid="articles.workflow_log")
        article_moved.connect(purge_story, dispatch_uid="articles.frontend_purge")
        # Signing in brings back the language the person chose for the desk, on any browser.
        user_logged_in.connect(restore_saved_language, dispatch_uid="newsroom.staff_language")
        # Reporters' iPhones save HEIC. Pillow reads it only through pillow-heif's opener, which lives in
        # Pillow's global plugin list; registering it here, once, gives every process (web, commands,
        # tests) the same accepted formats before any upload or import is checked.
        register_heif_reader()
        # Cache purges follow workflow moves and edits; the receivers only react, they never decide.
        # Connects the receivers that drop cached gazetteer matchers when a name changes. `converters`
        # registers `<id:…>` for the URL confs, which Django reads after this.
        from articles import (
            converters,  # noqa: F401
            receivers,  # noqa: F401
            tagging,  # noqa: F401
        )

        # Registers the system check of NEWSROOM_ICON.
        from newsroom import brand  # noqa: F401
