"""Reactions to what already happened: purge the public page cache. Connected in ArticlesConfig.ready()."""

from functools import partial

from django.db import transaction
from django.db.models.signals import post_delete, post_save, pre_delete
from django.dispatch import receiver

from articles import caching
from articles.models import (
    Actor,
    ActorAlias,
    Article,
    Author,
    Correction,
    Image,
    LiveUpdate,
    Region,
    RegionAlias,
    Section,
)
from articles.signals import article_moved


@receiver(article_moved, dispatch_uid="newsroom-purge-on-move")
def purge_pages_after_move(sender, article, **kwargs):
    """A publish, update, correction, unpublish or schedule changes what readers may see: purge at once.

    The signal is sent after the move's transaction has committed, so the next request renders fresh.
    Only the listings and the pages that show this story are purged (articles/caching.py).
    """
    caching.purge_stories(article.pk)
    if kwargs.get("move") in ("mark_breaking", "end_breaking") or article.breaking_time_ahead:
        caching.invalidate()  # the breaking-news banner is on every page


def purge_pages_after_story_edit(sender, instance, **kwargs):
    """An edit of a story (or of its corrections) shows where the story does: purge those pages after commit;
    an edit or deletion of the story in a breaking-news banner shows on every page."""
    article_id = instance.pk if isinstance(instance, Article) else instance.article_id
    transaction.on_commit(partial(caching.purge_stories, article_id))
    if isinstance(instance, Article) and instance.breaking_time_ahead:
        caching.invalidate_on_commit()


def purge_pages_after_picture_edit(sender, instance, **kwargs):
    """A picture's caption or credit shows with the stories it leads or whose live updates show it: purge those
    stories' pages after commit.
    An author's photo shows on their page and in its cards (its alt text, its crop), and deleting it takes it
    off: that is the vocabulary changing, so the whole cache goes."""
    if kwargs.get("created"):
        return  # a new picture leads no story yet
    stories = list(Article.objects.filter(lead_image=instance).values_list("pk", flat=True))
    stories += LiveUpdate.objects.filter(image=instance).values_list("article_id", flat=True)  # with updates
    if stories:
        transaction.on_commit(partial(caching.purge_stories, *stories))
    if Author.objects.filter(photo=instance).exists():
        caching.invalidate_on_commit()


def purge_pages_after_vocabulary_edit(sender, instance, **kwargs):
    """A section, place, actor or author can show on any page, and an alias changes which searches name an
    actor or a place (`search.find_concepts` is cached): purge the whole cache after commit."""
    caching.invalidate_on_commit()


RECEIVERS = [(Article, purge_pages_after_story_edit), (Correction, purge_pages_after_story_edit)]
RECEIVERS += [(Image, purge_pages_after_picture_edit)]
VOCABULARY = (Section, Region, Actor, Author, RegionAlias, ActorAlias)
RECEIVERS += [(model, purge_pages_after_vocabulary_edit) for model in VOCABULARY]
for model, purge in RECEIVERS:
    post_save.connect(purge, sender=model, dispatch_uid=f"newsroom-purge-{model.__name__}-save")
    # A deleted picture is looked up before it goes, while the stories still point at it.
    deleted = pre_delete if model is Image else post_delete
    deleted.connect(purge, sender=model, dispatch_uid=f"newsroom-purge-{model.__name__}-delete")
