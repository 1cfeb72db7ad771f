"""Facts about many articles: what is public, what is about a place or an actor, what a list needs."""

from django.db import models
from django.utils import timezone

from articles.models.taxonomy import ArticleActor, ArticleRegion, Region


class ArticleQuerySet(models.QuerySet):
    """Article queries that read as sentences: `Article.objects.published().for_region(syria)`."""

    def published(self, at=None):
        """The one definition of what readers may see at time `at` (default: now).

        Published articles, and scheduled ones whose time has come (so visibility never waits for a cron
        run), in both cases only once any embargo has passed.
        """
        now = at or timezone.now()
        status = self.model.Status
        live = models.Q(status=status.PUBLISHED) | models.Q(status=status.SCHEDULED, scheduled_for__lte=now)
        not_embargoed = models.Q(embargo_until__isnull=True) | models.Q(embargo_until__lte=now)
        return self.filter(live & not_embargoed)

    def for_region(self, region):
        """Articles tagged with `region` or any place inside it (Baghouz stories are Syria stories)."""
        places = Region.objects.descendants_of(region)
        return self.filter(pk__in=ArticleRegion.objects.filter(tag__in=places).values("content_object_id"))

    def for_actor(self, actor):
        """Articles tagged with `actor`."""
        return self.filter(pk__in=ArticleActor.objects.filter(tag=actor).values("content_object_id"))

    def tagged_with_any(self, regions=(), actors=()):
        """Articles tagged directly with any of `regions` or any of `actors` (lists or querysets)."""
        region_links = ArticleRegion.objects.filter(tag__in=regions).values("content_object_id")
        actor_links = ArticleActor.objects.filter(tag__in=actors).values("content_object_id")
        return self.filter(models.Q(pk__in=region_links) | models.Q(pk__in=actor_links))

    def in_section(self, section, include_subsections=True):
        """Articles filed in `section` and, by default, in its subsections."""
        if not include_subsections:
            return self.filter(section=section)
        return self.filter(models.Q(section=section) | models.Q(section__parent=section))

    def in_language(self, language):
        """Articles written in `language` ("en" or "ar")."""
        return self.filter(language=language)

    def with_list_relations(self):
        """Load what a list of articles shows (section, regions, actors, authors) in a fixed number of queries."""
        return self.select_related("section").prefetch_related("regions", "actors", "authors")

    def owned_by(self, user):
        """Articles `user` created or is a staff author of (their own stories, for the desk)."""
        bylines = self.model.authors.through.objects.filter(author__user=user).values("article_id")
        return self.filter(models.Q(created_by=user) | models.Q(pk__in=bylines))

    def with_last_move(self):
        """Annotate each article with its latest workflow move, its note and when, in the same query.

        `last_move`, `last_note`, `last_moved_at`: how the desk shows why a draft came back.
        """
        events = self.model._meta.get_field("events").related_model
        latest = events.objects.filter(article=models.OuterRef("pk")).order_by("-created_at", "-pk")
        return self.annotate(
            last_move=models.Subquery(latest.values("action")[:1]),
            last_note=models.Subquery(latest.values("note")[:1]),
            last_moved_at=models.Subquery(latest.values("created_at")[:1]),
        )

    def with_pending_update(self):
        """Live articles with an edit waiting for "publish update"."""
        return self.filter(revisions__state="pending")
