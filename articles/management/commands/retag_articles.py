from django.core.management.base import BaseCommand, CommandError

from articles import tagging
from articles.importers.fields import parse_when
from articles.importers.story import BadInput
from articles.models import Article

# A batch is one transaction's stories; ids are the addresses' (`articles/converters.py`: at most 18 digits).
MAX_BATCH = 100_000
MAX_ID = 10**18 - 1


class Command(BaseCommand):
    help = (
        "Run the automatic tagger over existing articles (e.g. after the gazetteer grew), batch by batch, "
        "adding the regions and actors it finds; never removes a tag, never re-adds a rejected suggestion."
    )

    def add_arguments(self, parser):
        parser.add_argument("--id", dest="ids", type=int, action="append", default=[], help="only this article")
        parser.add_argument("--since", help="only articles created on or after this date (YYYY-MM-DD)")
        parser.add_argument("--until", help="only articles created before this date (YYYY-MM-DD)")
        parser.add_argument("--language", choices=["en", "ar"], help="only articles in this language")
        parser.add_argument("--batch-size", type=int, default=500)
        parser.add_argument("--dry-run", action="store_true", help="report what would be added; write nothing")

    def handle(self, *args, ids, since, until, language, batch_size, dry_run, **options):
        if not 1 <= batch_size <= MAX_BATCH:
            raise CommandError(f"--batch-size must be between 1 and {MAX_BATCH:,}", returncode=2)
        if any(not 1 <= pk <= MAX_ID for pk in ids):
            raise CommandError("--id must be a story's number (at most 18 digits)", returncode=2)
        articles = Article.objects.all()
        try:
            start, end = parse_when(since), parse_when(until)
        except BadInput as error:
            raise CommandError(str(error), returncode=2) from None
        if start and end and start >= end:
            raise CommandError("--since must be before --until: the span holds no time", returncode=2)
        if start:
            articles = articles.filter(created_at__gte=start)
        if end:
            articles = articles.filter(created_at__lt=end)
        if ids:
            articles = articles.filter(pk__in=ids)
        if language:
            articles = articles.filter(language=language)
        report = tagging.retag(articles, batch_size=batch_size, dry_run=dry_run)
        self.stdout.write(f"{'Would add' if dry_run else 'Retagged'}: {report}")
