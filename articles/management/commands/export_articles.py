from django.core.management.base import BaseCommand, CommandError

from articles.export import FORMATS, ExportFilter, PictureCopies, write_export
from articles.importers.fields import parse_when
from articles.importers.story import BadInput
from articles.models import Actor, Region, Section


class Command(BaseCommand):
    help = (
        "Write the published articles (only what readers may see) to OUT as IPTC ninjs 2.0 (a JSON array) "
        "or JSON Lines, all of them or those of a time span, an edition, a section, a place or an actor, each "
        "with its public corrections and live updates, oldest first (JSON Lines: `corrections` and "
        "`live_updates`; ninjs: associations whose profile is newsroom:<kind of correction> or "
        "newsroom:live-update); import_articles reads both back. With --pictures, the pictures' files are copied "
        "into pictures/ beside OUT and named in the items, so the export reads back with its pictures."
    )

    def add_arguments(self, parser):
        parser.add_argument("out", metavar="OUT", help="file to write")
        parser.add_argument("--format", choices=FORMATS, required=True)
        parser.add_argument("--since", help="only stories that went public at or after this time (YYYY-MM-DD[ HH:MM])")
        parser.add_argument("--until", help="only stories that went public before this time (YYYY-MM-DD[ HH:MM])")
        parser.add_argument("--language", choices=["en", "ar"], help="only this edition's stories")
        parser.add_argument("--section", metavar="SLUG", help="only this section and its subsections")
        parser.add_argument("--region", metavar="SLUG_OR_NAME", help="only stories about this place or a place in it")
        parser.add_argument("--actor", metavar="SLUG_OR_NAME", help="only stories tagged with this actor")
        parser.add_argument(
            "--pictures",
            action="store_true",
            help="copy the lead pictures' and live updates' picture files into pictures/ beside OUT (once each, "
            "named by their hash; files already there are kept) and name them in the items",
        )

    def handle(self, *args, out, format, since, until, language, section, region, actor, pictures, **options):
        only = ExportFilter(
            since=_time(since, "--since"),
            until=_time(until, "--until"),
            language=language,
            section=_section(section),
            region=_entry(Region, region, "--region"),
            actor=_entry(Actor, actor, "--actor"),
        )
        if only.since and only.until and only.until <= only.since:
            raise CommandError("--until must be later than --since", returncode=2)
        copies = PictureCopies.beside(out) if pictures else None
        try:
            count = write_export(out, format, only=only, copies=copies)
        except OSError as error:
            raise CommandError(f"cannot write {out}: {error.strerror or error}", returncode=2) from None
        if copies is None:
            self.stdout.write(f"exported {count} articles to {out} ({format})")
            return
        self.stdout.write(
            f"exported {count} articles to {out} ({format}), pictures copied {copies.copied}, "
            f"pictures missing {len(copies.problems)}"
        )
        for problem in copies.problems:
            # The story was exported without that picture: a warning, as an import's picture problems are.
            self.stdout.write(self.style.WARNING(f"  {problem}"))


def _time(value, option):
    """A moment from the command line (newsroom time when no offset is given), or None."""
    try:
        return parse_when(value)
    except BadInput as error:
        raise CommandError(f"{option}: {error}", returncode=2) from None


def _section(slug):
    if not slug:
        return None
    section = Section.objects.filter(slug=slug).first()
    if section is None:
        raise CommandError(f"--section: no section with the slug {slug!r}", returncode=2)
    return section


def _entry(model, value, option):
    """The place or actor with slug `value`, or called `value` by its name or an alias (any spelling)."""
    if not value:
        return None
    entry = model.objects.filter(slug=value).first() or model.objects.by_name(value.replace("-", " "))
    if entry is None:
        raise CommandError(f"{option}: no {model._meta.verbose_name} with the slug or name {value!r}", returncode=2)
    return entry
