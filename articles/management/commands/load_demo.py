from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from articles.demo import load_demo


class Command(BaseCommand):
    help = "Create the demo accounts (one per role) and demo stories, and print the logins. Idempotent."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="allow it with DEBUG off (never in production)")

    def handle(self, *args, force, **options):
        if not settings.DEBUG and not force:
            raise CommandError("Refusing to create demo accounts with DEBUG off; pass --force if you mean it.")
        report = load_demo()
        self.stdout.write(f"Demo stories: {report.created} created, {report.existing} already there.")
        self.stdout.write("Demo logins for http://127.0.0.1:8000/admin/ :")
        for role, username, password in report.accounts:
            self.stdout.write(f"  {role:<10} username {username:<10} password {password}")
