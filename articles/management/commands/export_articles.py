from django.core.management.base import BaseCommand, CommandError

from articles.export import FORMATS, write_export


class Command(BaseCommand):
    help = (
        "Write the published articles (only what readers may see) to OUT as IPTC ninjs 2.0 (a JSON array) "
        "or JSON Lines; import_articles reads both back."
    )

    def add_arguments(self, parser):
        parser.add_argument("out", metavar="OUT", help="file to write")
        parser.add_argument("--format", choices=FORMATS, required=True)

    def handle(self, *args, out, format, **options):
        try:
            count = write_export(out, format)
        except OSError as error:
            raise CommandError(f"cannot write {out}: {error.strerror or error}", returncode=2) from None
        self.stdout.write(f"exported {count} articles to {out} ({format})")
