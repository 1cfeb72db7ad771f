"""Reactions to what already happened: purge the public page cache. Connected in ArticlesConfig.ready()."""

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from articles import caching
from articles.models import Actor, Article, Author, Correction, Region, Section
from articles.signals import article_moved


@receiver(article_moved, dispatch_uid="newsroom-purge-on-move")
def purge_pages_after_move(sender, article, **kwargs):
    """A publish, update, correction, unpublish or schedule changes what readers may see: purge at once.

    The signal is sent after the move's transaction has committed, so the next request renders fresh.
    """
    caching.invalidate()


def purge_pages_after_edit(sender, instance, **kwargs):
    """An edit of a story, a section, a place, an actor or an author shows on public pages: purge after commit."""
    transaction.on_commit(caching.invalidate)


for model in (Article, Correction, Section, Region, Actor, Author):
    post_save.connect(purge_pages_after_edit, sender=model, dispatch_uid=f"newsroom-purge-{model.__name__}-save")
    post_delete.connect(purge_pages_after_edit, sender=model, dispatch_uid=f"newsroom-purge-{model.__name__}-delete")
