"""Operations on the Region and Actor vocabularies: tag strings, aliases and merging duplicates.

The models themselves live in `articles/models/taxonomy.py`; lookups by name are on their querysets
(`Region.objects.by_name("Deir Ezzor")`, `Actor.objects.resolve_names([...])`); `Vocabulary` holds a whole
vocabulary's names in memory, for code that looks up many names at once (imports, `retag_articles`).
"""

import re

from django.db import transaction

from articles.normalisation import name_key

_TAG_SEPARATORS = re.compile("[,،;؛]")
# A dateline names its place first, then perhaps the country: "BAGHOUZ, Syria", "الباغوز، سوريا".
_DATELINE_PARTS = re.compile(r"[,،]")


def parse_tag_string(text):
    """Split a tag string on commas (Latin or Arabic) and semicolons, never on spaces; drop blanks and repeats."""
    names = []
    seen = set()
    for part in _TAG_SEPARATORS.split(text or ""):
        name = part.strip().strip('"').strip()
        key = name_key(name)
        if key and key not in seen:
            seen.add(key)
            names.append(name)
    return names


def join_tag_names(tags):
    """The inverse of `parse_tag_string`: names joined with ", "."""
    return ", ".join(sorted(tag.name for tag in tags))


def add_aliases(entry, names):
    """Give `entry` each of `names` as an alias unless some entry of its vocabulary already answers to it.

    Returns the aliases created. Names that already belong to another entry are left alone, so loading a
    gazetteer twice, or one that overlaps, never duplicates or steals a name.
    """
    alias_model = type(entry).aliases.rel.related_model
    wanted = {}
    for name in names:
        key = name_key(name)
        if key and key != entry.key and key not in wanted:
            wanted[key] = name
    taken = set(alias_model.objects.filter(key__in=wanted).values_list("key", flat=True))
    taken |= set(type(entry).objects.filter(key__in=wanted).values_list("key", flat=True))
    new = [alias_model(entry=entry, name=name, key=key) for key, name in wanted.items() if key not in taken]
    alias_model.objects.bulk_create(new)
    if new:
        # Searches that name an entry are cached with the generation.
        from articles import caching

        caching.invalidate_on_commit()
    return new


@transaction.atomic
def merge(target, duplicates):
    """Fold each of `duplicates` into `target`, in one transaction, and delete them.

    Article links move to `target` (an article tagged with both keeps one link), aliases, child places and
    every other reference are repointed, and each duplicate's names stay on as aliases of `target`, so
    the old spelling still finds it; an Arabic name or a description the target lacks comes from a duplicate.
    Works for regions and actors alike.
    """
    model = type(target)
    duplicates = [d for d in duplicates if d.pk != target.pk]
    if not duplicates:
        return target
    ids = [d.pk for d in duplicates]
    model.objects.select_for_update().filter(pk__in=[target.pk, *ids]).exists()
    alias_model = model.aliases.rel.related_model
    for relation in model._meta.related_objects:
        related, field = relation.related_model, relation.field.name
        if related is alias_model:
            continue
        if relation.many_to_many or relation.one_to_one:
            continue
        if field == "tag" and hasattr(related, "content_object"):
            already = related.objects.filter(tag=target).values("content_object_id")
            related.objects.filter(**{f"{field}__in": ids, "content_object_id__in": already}).delete()
            # An article tagged with two of the duplicates keeps a single link.
            seen = set()
            for link in related.objects.filter(**{f"{field}__in": ids}).order_by("pk"):
                if link.content_object_id in seen:
                    link.delete()
                seen.add(link.content_object_id)
        pointing = related.objects.filter(**{f"{field}__in": ids})
        if related is model:
            # A duplicate's child places move under the target; the target itself never becomes its own child.
            if getattr(target, f"{field}_id") in ids:
                setattr(target, field, getattr(model.objects.get(pk=getattr(target, f"{field}_id")), field))
                target.save(update_fields=[field])
            pointing = pointing.exclude(pk=target.pk)
        pointing.update(**{field: target})
    alias_model.objects.filter(entry__in=ids).update(entry=target)
    old_names = [n for d in duplicates for n in (d.name, d.name_ar) if n]
    model.objects.filter(pk__in=ids).delete()
    add_aliases(target, old_names)
    # What the target lacks (an Arabic name, a description in either language) it takes from the first
    # duplicate that has it; what it has, it keeps.
    filled = []
    for attr in target.DESK_TEXTS:
        if not getattr(target, attr):
            setattr(target, attr, next((getattr(d, attr) for d in duplicates if getattr(d, attr)), ""))
            if getattr(target, attr):
                filled.append(attr)
    if filled:
        target.save(update_fields=filled)
    return target


class Vocabulary:
    """Names and slugs of one vocabulary (`Region` or `Actor` with its alias model), loaded once, to find entries by
    the names an input or a text gives without a query each (the importer, `retag_articles`)."""

    def __init__(self, model, alias_model):
        self.by_name = {}
        for pk, slug, key in model.objects.values_list("pk", "slug", "key"):
            self.by_name[slug] = pk
            self.by_name.setdefault(key, pk)
        for entry_id, key in alias_model.objects.values_list("entry_id", "key"):
            self.by_name.setdefault(key, entry_id)

    def resolve(self, names):
        """The ids of the entries `names` name (slugs, names or aliases, folded with `name_key`)."""
        found = set()
        for name in names:
            pk = self.by_name.get(name) or self.by_name.get(name_key(name))
            if pk:
                found.add(pk)
        return found

    def find(self, name):
        """The id of the entry `name` names or, for a dateline such as "BAGHOUZ, Syria", its first part; or None."""
        for candidate in dict.fromkeys((name, _DATELINE_PARTS.split(name, maxsplit=1)[0].strip())):
            pk = self.by_name.get(candidate) or self.by_name.get(name_key(candidate))
            if pk:
                return pk
        return None
