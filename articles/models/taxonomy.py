"""Region and Actor: the two controlled vocabularies articles are tagged with.

Both are django-taggit tag models with their own through model (a real foreign key to Article and
one row per pair), a normalised `key` of the canonical name, and alias rows whose keys are unique per
vocabulary. Operations on them (lookup by alias, merge, tag-string parsing) live in
`articles/taxonomy.py`.
"""

from typing import NamedTuple

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.expressions import RawSQL
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from taggit.managers import _TaggableManager
from taggit.models import ItemBase, TagBase

from articles.addresses import public_url
from articles.normalisation import ARABIC_LETTERS, is_arabic, name_key


class UnknownNameError(ValueError):
    """Raised when a tag string names no region or actor (the vocabularies are controlled)."""


def name_in(entry, language):
    """The name of a section, place, actor or author (anything with `name` and `name_ar`) as the edition in
    `language` prints it: the Arabic name in the Arabic edition when there is one, else the English name."""
    return entry.name_ar if language == "ar" and entry.name_ar else entry.name


def desk_name(name, name_ar, language):
    """How the admin names a section, place, actor or author to a staff member working in `language`, from its
    English and Arabic names: in Arabic, the Arabic name with the English one in brackets, "رشا خليل (Rasha
    Khalil)", so two entries spelled alike in one script can be told apart, and a staff member who knows an
    entry by its English name still finds it; in English, or without a separate Arabic name, the English name.

    The one rule behind every model's `desk_label` (pickers, their searches, chips, tag suggestions)."""
    if language == "ar" and name_ar and name_ar != name:
        return f"{name_ar} ({name})"
    return name


class EditionText(NamedTuple):
    """A text as an edition prints it, and the language it is written in ("ar" or "en"; "" for no text)."""

    text: str
    language: str


def text_in(entry, field, language):
    """The `field` ("description", "bio") of a section, place, actor or author as the edition in `language`
    prints it: the Arabic text (`<field>_ar`) in the Arabic edition when there is one, else the English field.

    The language comes with it, so a page can mark text that is not in its own: an Arabic page falling back to
    the English text, or an English field the desk wrote in Arabic before there was an Arabic one (told by its
    script, as imported stories are)."""
    arabic = getattr(entry, f"{field}_ar") if language == "ar" else ""
    if arabic:
        return EditionText(arabic, "ar")
    text = getattr(entry, field)
    return EditionText(text, ("ar" if is_arabic(text) else "en") if text else "")


class VocabularyQuerySet(models.QuerySet):
    """Queries shared by both vocabularies: lookup by any name or alias."""

    def matching_keys(self, keys):
        """Entries whose canonical name or any alias has one of the normalised `keys`."""
        keys = list(keys)
        return self.filter(models.Q(key__in=keys) | models.Q(aliases__key__in=keys)).distinct()

    def by_name(self, name):
        """The entry called `name` (canonical name or any alias, in any spelling that folds alike), or None."""
        key = name_key(name)
        if not key:
            return None
        return self.filter(key=key).first() or self.filter(aliases__key=key).first()

    def resolve_names(self, names):
        """Map each name to its canonical entry in two queries; raise UnknownNameError naming the unknown ones."""
        wanted = {name: name_key(name) for name in names}
        by_key = {entry.key: entry for entry in self.filter(key__in=wanted.values())}
        missing = {k for k in wanted.values() if k not in by_key}
        if missing:
            alias_model = self.model.aliases.rel.related_model
            for alias in alias_model.objects.filter(key__in=missing).select_related("entry"):
                by_key[alias.key] = alias.entry
        unknown = [name for name, key in wanted.items() if key not in by_key]
        if unknown:
            raise UnknownNameError(
                _("Unknown %(vocabulary)s: %(names)s")
                % {"vocabulary": self.model._meta.verbose_name, "names": ", ".join(unknown)}
            )
        return [by_key[wanted[name]] for name in names]

    def arabic_name_ranks(self, key):
        """{pk: rank} of the entries whose Arabic name, folded as `name_key` folds, holds the folded `key`: rank 0
        when the name is the key, 1 when it starts with it, 2 when it holds it further on.

        One query. No folded copy of the Arabic name is stored (the gazetteer also keeps it as an alias, but the
        desk may type one that is not), so the names are folded here, by the one folding function; the
        vocabularies are a few thousand entries at most. A key with no Arabic letter matches nothing, unread.
        """
        if not key or not ARABIC_LETTERS.search(key):
            return {}
        ranks = {}
        for pk, name_ar in self.exclude(name_ar="").values_list("pk", "name_ar"):
            folded = name_key(name_ar)
            if key in folded:
                ranks[pk] = 0 if folded == key else 1 if folded.startswith(key) else 2
        return ranks


class RegionQuerySet(VocabularyQuerySet):
    """Region queries, including the hierarchy (recursive CTEs that run in SQLite and PostgreSQL)."""

    def descendants_of(self, region, include_self=True):
        """`region` and every place below it, at any depth, in one query."""
        table = self.model._meta.db_table
        sql = (
            f"WITH RECURSIVE tree(id) AS (SELECT id FROM {table} WHERE id = %s "
            f"UNION SELECT r.id FROM {table} r JOIN tree t ON r.parent_id = t.id) SELECT id FROM tree"
        )
        qs = self.filter(pk__in=RawSQL(sql, [region.pk]))
        return qs if include_self else qs.exclude(pk=region.pk)

    def ancestors_of(self, region):
        """The chain of places above `region`, from the top (country) down, in one query."""
        table = self.model._meta.db_table
        sql = (
            f"WITH RECURSIVE chain(id, parent_id, depth) AS (SELECT id, parent_id, 0 FROM {table} WHERE id = %s "
            f"UNION SELECT r.id, r.parent_id, c.depth + 1 FROM {table} r JOIN chain c ON r.id = c.parent_id) "
            "SELECT id FROM chain WHERE depth > 0"
        )
        return self.filter(pk__in=RawSQL(sql, [region.pk]))


class Vocabulary(TagBase):
    """Fields both vocabularies share: Arabic name, description in each language and the normalised key of the
    name."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    name_ar = models.CharField(_("Arabic name"), max_length=150, blank=True)
    description = models.TextField(_("description"), blank=True)
    description_ar = models.TextField(
        _("Arabic description"),
        blank=True,
        help_text=_("Arabic pages show this; without it, they show the English description."),
    )
    key = models.CharField(_("lookup key"), max_length=150, unique=True, editable=False)

    # The texts the desk writes by hand: a gazetteer load fills them only where empty, and a merge keeps the
    # target's and takes those it lacks from a duplicate.
    DESK_TEXTS = ("name_ar", "description", "description_ar")

    class Meta:
        abstract = True
        ordering = ["name"]

    def clean(self):
        """Refuse a name whose key is already another entry's alias."""
        super().clean()
        key = name_key(self.name)
        if not key:
            raise ValidationError({"name": _("A name needs at least one letter or digit.")})
        clash = type(self).aliases.rel.related_model.objects.filter(key=key).exclude(entry_id=self.pk).first()
        if clash:
            raise ValidationError(
                {"name": _("“%(name)s” is already an alias of %(entry)s.") % {"name": self.name, "entry": clash.entry}}
            )

    def save(self, *args, **kwargs):
        self.key = name_key(self.name)
        super().save(*args, **kwargs)

    def desk_label(self, language):
        """How the admin names the entry to a staff member working in `language` (`desk_name`)."""
        return desk_name(self.name, self.name_ar, language)


class Region(Vocabulary):
    """A place: country > governorate > district > town > area, with ISO code and coordinates."""

    class Kind(models.TextChoices):
        COUNTRY = "country", _("Country")
        GOVERNORATE = "governorate", _("Governorate / province")
        DISTRICT = "district", _("District")
        CITY = "city", _("City / town")
        AREA = "area", _("Area")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.CITY)
    parent = models.ForeignKey(
        "self", verbose_name=_("parent"), null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    iso_code = models.CharField(_("ISO 3166 code"), max_length=10, blank=True)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)

    objects = RegionQuerySet.as_manager()

    class Meta(Vocabulary.Meta):
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        constraints = [
            models.UniqueConstraint(fields=["iso_code"], condition=~models.Q(iso_code=""), name="unique_region_iso"),
            models.CheckConstraint(condition=~models.Q(parent=models.F("id")), name="region_not_own_parent"),
        ]

    def clean(self):
        """Refuse a parent that would make a cycle in the hierarchy."""
        super().clean()
        if self.pk and self.parent_id and Region.objects.descendants_of(self).filter(pk=self.parent_id).exists():
            raise ValidationError({"parent": _("A place cannot be inside itself or one of its own places.")})

    def get_absolute_url(self):
        return public_url("region", get_language(), slug=self.slug)


class Actor(Vocabulary):
    """A person, organisation, armed group, government body, coalition, community or medium."""

    class Kind(models.TextChoices):
        PERSON = "person", _("Person")
        ORGANISATION = "organisation", _("Organisation")
        ARMED_GROUP = "armed_group", _("Armed group")
        GOVERNMENT = "government", _("Government / state body")
        COALITION = "coalition", _("Coalition")
        COMMUNITY = "ethnic_religious_group", _("Ethnic or religious group")
        MEDIA = "media", _("Media")

    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices, default=Kind.ORGANISATION)
    home_region = models.ForeignKey(
        Region, verbose_name=_("home region"), null=True, blank=True, on_delete=models.SET_NULL, related_name="actors"
    )

    objects = VocabularyQuerySet.as_manager()

    class Meta(Vocabulary.Meta):
        verbose_name = _("actor")
        verbose_name_plural = _("actors")

    def get_absolute_url(self):
        return public_url("actor", get_language(), slug=self.slug)


class Alias(models.Model):
    """Another name for an entry; its key (the folded name) is unique within the vocabulary."""

    name = models.CharField(_("alias"), max_length=150)
    key = models.CharField(_("lookup key"), max_length=150, unique=True, editable=False)

    class Meta:
        abstract = True
        ordering = ["name"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.key = name_key(self.name)
        super().save(*args, **kwargs)

    def clean(self):
        """Refuse an alias that folds to another entry's name or alias."""
        super().clean()
        key = name_key(self.name)
        if not key:
            raise ValidationError({"name": _("An alias needs at least one letter or digit.")})
        owner = type(self.entry).objects.filter(key=key).exclude(pk=self.entry_id).first() if self.entry_id else None
        if owner:
            raise ValidationError(
                {"name": _("“%(name)s” is already the name of %(entry)s.") % {"name": self.name, "entry": owner}}
            )


class RegionAlias(Alias):
    entry = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="aliases", verbose_name=_("region"))

    class Meta(Alias.Meta):
        verbose_name = _("region alias")
        verbose_name_plural = _("region aliases")


class ActorAlias(Alias):
    entry = models.ForeignKey(Actor, on_delete=models.CASCADE, related_name="aliases", verbose_name=_("actor"))

    class Meta(Alias.Meta):
        verbose_name = _("actor alias")
        verbose_name_plural = _("actor aliases")


class ArticleRegion(ItemBase):
    """One article tagged with one region."""

    content_object = models.ForeignKey("articles.Article", on_delete=models.CASCADE, related_name="region_links")
    tag = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="article_links")

    class Meta:
        verbose_name = _("article region")
        constraints = [models.UniqueConstraint(fields=["content_object", "tag"], name="unique_article_region")]
        # Tag first, article second: "the stories tagged X" (search, related stories, lists) is read from
        # the index alone, without visiting the link rows.
        indexes = [models.Index(fields=["tag", "content_object"], name="articleregion_tag_article")]


class ArticleActor(ItemBase):
    """One article tagged with one actor."""

    content_object = models.ForeignKey("articles.Article", on_delete=models.CASCADE, related_name="actor_links")
    tag = models.ForeignKey(Actor, on_delete=models.CASCADE, related_name="article_links")

    class Meta:
        verbose_name = _("article actor")
        constraints = [models.UniqueConstraint(fields=["content_object", "tag"], name="unique_article_actor")]
        # Tag first, article second: "the stories tagged X" (search, related stories, lists) is read from
        # the index alone, without visiting the link rows.
        indexes = [models.Index(fields=["tag", "content_object"], name="articleactor_tag_article")]


class ControlledTagManager(_TaggableManager):
    """taggit's manager, but a string resolves through the aliases and never creates a new entry."""

    def _to_tag_model_instances(self, tags, tag_kwargs):
        tag_model = self.through.tag_model()
        names = [t for t in tags if isinstance(t, str)]
        resolved = iter(tag_model.objects.resolve_names(names)) if names else iter(())
        result = []
        for tag in tags:
            entry = next(resolved) if isinstance(tag, str) else tag
            if not isinstance(entry, tag_model):
                raise ValueError(f"Cannot tag with {tag!r}: expected a {tag_model.__name__} or its name.")
            if entry not in result:
                result.append(entry)
        return result
