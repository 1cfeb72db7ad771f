"""`manage.py publish_scheduled [--dry-run]`: record the publication of every scheduled story that is due."""

from django.core.management.base import BaseCommand
from django.utils import timezone

from articles import workflow

# A schedule found this long after its time means the command is not running often enough.
OVERDUE_AFTER_MINUTES = 5


class Command(BaseCommand):
    help = (
        "Publish every scheduled story whose time has come (readers already see it; this records the event "
        "and sends the notifications). Safe to run every minute, on several servers at once."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="list what is due without publishing anything")

    def handle(self, *args, dry_run, **options):
        now = timezone.now()
        articles = workflow.publish_due(now=now, dry_run=dry_run)
        if not articles:
            self.stdout.write("Nothing due.")
            return
        verb = "Due" if dry_run else "Published"
        overdue = 0
        for article in articles:
            due = timezone.localtime(article.scheduled_for)
            line = f"{verb}: #{article.pk} {article.headline} (scheduled for {due:%Y-%m-%d %H:%M %Z})"
            late = int((now - article.scheduled_for).total_seconds() // 60)
            if late > OVERDUE_AFTER_MINUTES:
                overdue += 1
                self.stdout.write(self.style.WARNING(f"{line}, overdue by {late} min"))
            else:
                self.stdout.write(line)
        summary = f"{len(articles)} {'due' if dry_run else 'published'}"
        if overdue:
            summary += f", {overdue} overdue (is the command running every minute?)"
        self.stdout.write(self.style.SUCCESS(summary + ("; dry run, nothing changed." if dry_run else ".")))
