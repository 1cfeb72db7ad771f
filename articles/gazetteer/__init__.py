"""The gazetteer: places and actors the newsroom tags with, loaded idempotently.

Built in: every country of ISO 3166-1 (from pycountry, with Arabic names from its translations), then
the curated files beside this module (`regions.csv`, `actors.csv`: the beat's hierarchy, actors and
their spelling variants). A newsroom can add its own files in the same columns (see the README).

Loading matches each row to an existing entry by ISO code, slug, or any name or alias (folded by
`name_key`), so a second load, or a file that spells a known place another way, never duplicates.
"""

import csv
import gettext
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.db import transaction
from django.utils.text import slugify

from articles import caching
from articles.models import Actor, Region
from articles.normalisation import name_key

DATA_DIR = Path(__file__).resolve().parent
# The columns a file may have (only `name` is needed); the descriptions of places are optional columns.
REGION_COLUMNS = (
    "slug", "name", "name_ar", "kind", "parent", "iso_code", "latitude", "longitude", "aliases",
    "description", "description_ar",
)  # fmt: skip
ACTOR_COLUMNS = ("slug", "name", "name_ar", "kind", "description", "description_ar", "home_region", "aliases")


@dataclass
class LoadReport:
    """What a load did: counts of entries created and updated, aliases added, and problems by row."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    aliases: int = 0
    problems: list = field(default_factory=list)

    def merge(self, other):
        self.created += other.created
        self.updated += other.updated
        self.unchanged += other.unchanged
        self.aliases += other.aliases
        self.problems += other.problems

    def __str__(self):
        return (
            f"created {self.created}, updated {self.updated}, unchanged {self.unchanged}, "
            f"aliases added {self.aliases}, problems {len(self.problems)}"
        )


class _Index:
    """Every entry of one vocabulary, findable by slug, ISO code or folded name/alias, in two queries."""

    def __init__(self, model):
        alias_model = model.aliases.rel.related_model
        self.model, self.alias_model = model, alias_model
        self.entries = {e.pk: e for e in model.objects.all()}
        self.by_slug = {e.slug: e for e in self.entries.values()}
        self.by_iso = {e.iso_code.upper(): e for e in self.entries.values() if getattr(e, "iso_code", "")}
        self.by_key = {e.key: e for e in self.entries.values()}
        for entry_id, key in alias_model.objects.values_list("entry_id", "key"):
            self.by_key.setdefault(key, self.entries[entry_id])

    def find(self, row):
        """The existing entry a row describes: by ISO code, slug, its name, then (rows without a code) any alias."""
        iso = (row.get("iso_code") or "").upper()
        found = (self.by_iso.get(iso) if iso else None) or self.by_slug.get(row.get("slug") or "")
        found = found or self.by_key.get(name_key(row["name"]))
        if found is None and not iso:
            names = [row.get("name_ar", ""), *row.get("aliases", [])]
            found = next((self.by_key[k] for k in map(name_key, names) if k in self.by_key), None)
        if found is not None and iso and getattr(found, "iso_code", "") not in ("", iso):
            # Two coded places never merge on a shared spelling (عمان is both Amman and Oman once vowels go).
            return None
        return found

    def add(self, entry):
        self.entries[entry.pk] = entry
        self.by_slug[entry.slug] = entry
        self.by_key.setdefault(entry.key, entry)
        if getattr(entry, "iso_code", ""):
            self.by_iso[entry.iso_code.upper()] = entry

    def free_slug(self, wanted):
        base = slugify(wanted, allow_unicode=True)[:90] or "entry"
        slug, n = base, 2
        while slug in self.by_slug:
            slug, n = f"{base}-{n}", n + 1
        return slug

    def new_aliases(self, entry, names):
        """Alias rows for those of `names` that no entry answers to yet (claimed in the index at once)."""
        rows = []
        for name in names:
            key = name_key(name)
            if key and key not in self.by_key:
                self.by_key[key] = entry
                rows.append(self.alias_model(entry=entry, name=name.strip(), key=key))
        return rows


def _coordinate(text, name, bound):
    """A latitude or longitude from text (None for a blank one); ValueError unless a number within ±`bound`."""
    try:
        value = Decimal(text) if text not in (None, "") else None
    except InvalidOperation:
        raise ValueError(f"not a number: {text!r}") from None
    if value is not None and not (value.is_finite() and -bound <= value <= bound):
        raise ValueError(f"{name} {text!r} is not between -{bound} and {bound}")
    return value


def _check_lengths(index, row, values):
    """ValueError naming the first of a row's names that is too long for its column (the database refuses it
    whole, with every row loaded before it)."""
    model, alias_field = index.model, index.alias_model._meta.get_field("name")
    texts = {"name": row["name"], **{attr: value for attr, value in values.items() if isinstance(value, str)}}
    for attr, value in texts.items():
        limit = model._meta.get_field(attr).max_length
        if limit and len(value) > limit:
            raise ValueError(f"{attr} longer than {limit} characters: {value[:40]!r}…")
    # Every name is also kept folded as a lookup key, and folding can lengthen a name (ligatures).
    for alias in (row["name"], row["name_ar"], *row["aliases"]):
        if max(len(alias), len(name_key(alias))) > alias_field.max_length:
            raise ValueError(f"alias longer than {alias_field.max_length} characters: {alias[:40]!r}…")


def _clean_row(row, columns):
    row = {key: (row.get(key) or "").strip() for key in columns}
    row["aliases"] = [a.strip() for a in row.get("aliases", "").split("|") if a.strip()]
    if not row["name"]:
        raise ValueError("no name")
    return row


def _apply(entry, values):
    """Set the values that differ (keeping an Arabic name or a description someone already wrote)."""
    changed = []
    for attr, value in values.items():
        current = getattr(entry, attr)
        if attr in entry.DESK_TEXTS and current:  # never overwritten: the desk may have written it
            continue
        if value not in (None, "") and current != value:
            setattr(entry, attr, value)
            changed.append(attr)
    return changed


def _upsert(index, row, values, report):
    entry = index.find(row)
    if entry is None:
        entry = index.model(name=row["name"], slug=index.free_slug(row.get("slug") or row["name"]), **values)
        entry.save()
        index.add(entry)
        report.created += 1
    else:
        changed = _apply(entry, values)
        if changed:
            entry.save(update_fields=changed)
            report.updated += 1
        else:
            report.unchanged += 1
    return entry


def _place(index, name, what):
    """The region called `name` (slug or any spelling), None for a blank name; ValueError if unknown."""
    if not name:
        return None
    found = index.by_slug.get(name) or index.by_key.get(name_key(name))
    if found is None:
        raise ValueError(f"unknown {what} {name!r}")
    return found


def _kind(row, model, default):
    kind = row["kind"] or default
    if kind not in model.Kind.values:
        raise ValueError(f"unknown kind {kind!r}")
    return kind


def _region_values(row, regions):
    return {
        "name_ar": row["name_ar"],
        "kind": _kind(row, Region, Region.Kind.CITY),
        "parent": _place(regions, row["parent"], "parent"),
        "iso_code": row["iso_code"].upper(),
        "latitude": _coordinate(row["latitude"], "latitude", 90),
        "longitude": _coordinate(row["longitude"], "longitude", 180),
        "description": row["description"],
        "description_ar": row["description_ar"],
    }


def _actor_values(row, regions):
    return {
        "name_ar": row["name_ar"],
        "kind": _kind(row, Actor, Actor.Kind.ORGANISATION),
        "home_region": _place(regions, row["home_region"], "home region"),
        "description": row["description"],
        "description_ar": row["description_ar"],
    }


def _load(model, columns, values_for, rows, source):
    """Create or update entries of `model` from row dicts; each bad row is reported by number, the rest load."""
    report, index, aliases = LoadReport(), _Index(model), []
    # Regions refer to rows loaded earlier in the same file, so they resolve against the growing index.
    regions = index if model is Region else _Index(Region)
    for number, raw in enumerate(rows, start=1):
        try:
            row = _clean_row(raw, columns)
            values = values_for(row, regions)
            _check_lengths(index, row, values)
            entry = _upsert(index, row, values, report)
            aliases += index.new_aliases(entry, [row["name"], row["name_ar"], *row["aliases"]])
        except ValueError as error:
            report.problems.append(f"{source} row {number}: {error}")
    index.alias_model.objects.bulk_create(aliases)
    if aliases:
        caching.invalidate_on_commit()  # searches that name an entry are cached with the generation
    report.aliases += len(aliases)
    return report


@transaction.atomic
def load_regions(rows, source="regions"):
    """Create or update regions from row dicts (columns as in regions.csv); parents must come first."""
    return _load(Region, REGION_COLUMNS, _region_values, rows, source)


@transaction.atomic
def load_actors(rows, source="actors"):
    """Create or update actors from row dicts (columns as in actors.csv)."""
    return _load(Actor, ACTOR_COLUMNS, _actor_values, rows, source)


def country_rows():
    """One region row per ISO 3166-1 country, with Arabic names from pycountry's translations."""
    import pycountry

    arabic = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["ar"], fallback=True)
    for country in pycountry.countries:
        name = getattr(country, "common_name", None) or country.name
        name_ar = arabic.gettext(country.name)
        others = {country.name, getattr(country, "official_name", "") or ""} - {name, ""}
        yield {
            "slug": slugify(name),
            "name": name,
            "name_ar": "" if name_ar == country.name else name_ar,
            "kind": Region.Kind.COUNTRY,
            "iso_code": country.alpha_2,
            "aliases": "|".join(sorted(others)),
        }


def read_csv(path):
    """Rows of a UTF-8 (BOM allowed) CSV file as dicts."""
    with open(path, newline="", encoding="utf-8-sig") as handle:
        yield from csv.DictReader(handle)


def load_builtin():
    """Load the curated beat (its names win), then fill in every other country, then the actors."""
    report = LoadReport()
    report.merge(load_regions(read_csv(DATA_DIR / "regions.csv"), source="regions.csv"))
    report.merge(load_regions(country_rows(), source="ISO 3166-1"))
    report.merge(load_actors(read_csv(DATA_DIR / "actors.csv"), source="actors.csv"))
    return report


def _yaml_rows(entries, columns, where):
    """Row dicts (as read from CSV) from YAML mappings: lists of aliases joined with "|", values as text."""
    if not isinstance(entries, list):
        raise ValueError(f"{where}: expected a list of entries")
    rows = []
    for entry in entries:
        entry = entry if isinstance(entry, dict) else {}
        row = {key: "" if entry.get(key) is None else str(entry[key]) for key in columns if key != "aliases"}
        aliases = entry.get("aliases") or []
        row["aliases"] = "|".join(str(a) for a in aliases) if isinstance(aliases, list) else str(aliases)
        rows.append(row)
    return rows


def read_yaml(path):
    """The `regions` and `actors` lists of a YAML gazetteer file, as CSV-like rows (see the README)."""
    import yaml

    with open(path, encoding="utf-8-sig") as handle:
        try:
            data = yaml.safe_load(handle) or {}
        except yaml.YAMLError as error:
            raise ValueError(f"not valid YAML: {str(error).splitlines()[0]}") from None
    if not isinstance(data, dict) or not ({"regions", "actors"} & set(data)):
        raise ValueError("expected a mapping with a `regions` and/or an `actors` list")
    return (
        _yaml_rows(data.get("regions") or [], REGION_COLUMNS, "regions"),
        _yaml_rows(data.get("actors") or [], ACTOR_COLUMNS, "actors"),
    )


def load_file(path):
    """Load a newsroom's own file: CSV of regions (has a `parent` or `iso_code` column) or actors
    (`home_region`), or YAML with `regions` and `actors` lists (regions are loaded first)."""
    path = Path(path)
    if path.suffix.lower() in (".yaml", ".yml"):
        report = LoadReport()
        try:
            regions, actors = read_yaml(path)
        except ValueError as error:
            report.problems.append(f"{path.name}: {error}")
            return report
        report.merge(load_regions(regions, source=f"{path.name} regions"))
        report.merge(load_actors(actors, source=f"{path.name} actors"))
        return report
    rows = list(read_csv(path))
    columns = set(rows[0]) if rows else set()
    if "home_region" in columns:
        return load_actors(rows, source=path.name)
    if {"parent", "iso_code"} & columns:
        return load_regions(rows, source=path.name)
    report = LoadReport()
    report.problems.append(
        f"{path.name}: cannot tell regions from actors (need a parent, iso_code or home_region column)"
    )
    return report
