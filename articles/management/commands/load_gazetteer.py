from django.core.management.base import BaseCommand, CommandError

from articles import gazetteer


class Command(BaseCommand):
    help = (
        "Load the built-in gazetteer (every country, the curated beat of places and actors), then any "
        "CSV or YAML FILEs of the newsroom's own regions or actors. Idempotent: known names and aliases are matched, "
        "never duplicated."
    )

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="*", metavar="FILE", help="CSV or YAML of regions or actors (see README)")
        parser.add_argument("--no-builtin", action="store_true", help="load only the given files")

    def handle(self, *args, files, no_builtin, **options):
        if no_builtin and not files:
            raise CommandError("Nothing to load: give FILEs or drop --no-builtin.")
        report = gazetteer.LoadReport()
        if not no_builtin:
            report.merge(gazetteer.load_builtin())
        for path in files:
            try:
                report.merge(gazetteer.load_file(path))
            except (OSError, UnicodeDecodeError) as error:
                report.problems.append(f"{path}: {error}")
        for problem in report.problems:
            self.stderr.write(self.style.WARNING(problem))
        self.stdout.write(f"Gazetteer: {report}")
        if report.problems:
            raise CommandError(
                f"{len(report.problems)} rows could not be loaded (listed above); the rest were.", returncode=1
            )
