from django.core.management.base import BaseCommand

from articles.roles import ROLES, ensure_roles


class Command(BaseCommand):
    help = "Create or update the Reporter, Editor, Publisher and Admin groups and their permissions (idempotent)."

    def handle(self, *args, **options):
        groups = ensure_roles()
        for name in ROLES:
            self.stdout.write(f"{name}: {groups[name].permissions.count()} permissions")
        self.stdout.write(self.style.SUCCESS("Roles are in place."))
