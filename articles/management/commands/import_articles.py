import sys
import time

from django.core.management.base import BaseCommand, CommandError
from django.db import InterfaceError, OperationalError

from articles.importers.fields import section_path
from articles.importers.formats import PARSERS
from articles.importers.pipeline import ImportOptions, run_import, section_problem
from articles.importers.sources import path_problem


class Progress:
    """A one-line live counter on a terminal (stories read, rate); nothing at all when not a TTY."""

    def __init__(self, stream):
        self.stream, self.count, self.started, self.shown = stream, 0, time.monotonic(), 0.0

    def update(self, n=1):
        self.count += n
        now = time.monotonic()
        if now - self.shown >= 0.2:
            self.shown = now
            rate = self.count / max(now - self.started, 1e-6)
            self.stream.write(f"\r{self.count:,} stories read  {rate:,.0f}/s ")
            self.stream.flush()

    def finish(self):
        if self.count:
            self.stream.write("\r" + " " * 60 + "\r")
            self.stream.flush()


class Command(BaseCommand):
    help = (
        "Import stories from files, directories, globs and .zip/.tar(.gz) archives (plain text, ninjs, "
        "NewsML-G2, RSS/Atom, JSON Lines, CSV), tagging their regions and actors. Idempotent: keyed on source "
        "and source id (else a fingerprint of the text). Prints `imported N, updated N, unchanged N, "
        "held N, duplicates N, failed N` (then `, pictures N, picture problems N` when inputs name pictures, and "
        "`, genre problems N` when a genre names no type of work the site knows, and `, corrections N, live "
        "updates N` when it added public notes: the corrections and live updates of JSON Lines and ninjs inputs, "
        "as export_articles writes them, that a story lacks, added whether the story is new, unchanged, updated "
        "or held, never twice; a note that cannot be read fails its story), "
        "the failures and the held stories (changed in their input after the desk saved them: the import waits "
        "for the desk as a pending update or a revision in the story's History); a missing or refused picture "
        "is a warning and the story is imported without it; so is an unknown genre (the story is imported as news); "
        "exit status 0, 1 if some inputs failed, 2 for bad usage."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="PATH", help="file, directory, glob or archive")
        parser.add_argument("--format", choices=sorted(PARSERS), help="read every input as this format")
        parser.add_argument("--status", choices=["draft", "published"], default="draft", help="default: draft")
        parser.add_argument("--section", default="", help='section for stories without one, e.g. "Iraq News > Local"')
        parser.add_argument("--language", choices=["en", "ar"], help="default: the input's, else detected")
        parser.add_argument("--source", default="", help="source name (also the wire credit when none is given)")
        parser.add_argument("--dry-run", action="store_true", help="parse, tag and check; write nothing")
        parser.add_argument("--no-autotag", action="store_true", help="only the tags the input itself names")
        parser.add_argument("--batch-size", type=int, default=500, help="stories per transaction (default 500)")
        parser.add_argument(
            "--workers",
            default="auto",
            help="processes that read, parse, tag and sanitise inputs in parallel; default auto: one per CPU "
            "when there are many inputs (256 or more), else none besides this one",
        )
        parser.add_argument("--header-line", choices=["yes", "no", "auto"], default="auto", help="plain text only")

    def handle(self, *args, paths, **options):
        problems = [f"{path}: {problem}" for path in paths if (problem := path_problem(path))]
        if problems:
            raise CommandError("; ".join(problems), returncode=2)
        if problem := section_problem(section_path(options["section"])):
            raise CommandError(f"--section: {problem}", returncode=2)
        if options["batch_size"] < 1:
            raise CommandError("--batch-size must be at least 1", returncode=2)
        workers = options["workers"]
        if workers == "auto":
            workers = 0
        elif not workers.isdigit() or int(workers) < 1:
            raise CommandError("--workers must be auto or at least 1", returncode=2)
        settings = ImportOptions(
            format=options["format"],
            status=options["status"],
            section=options["section"],
            language=options["language"] or "",
            source=options["source"],
            dry_run=options["dry_run"],
            autotag=not options["no_autotag"],
            batch_size=options["batch_size"],
            workers=int(workers),
            header_line=options["header_line"],
        )
        progress = Progress(sys.stderr) if sys.stderr.isatty() else None
        try:
            report = run_import(paths, settings, progress=progress.update if progress else None)
        except (OperationalError, InterfaceError) as error:
            # A database outage mid-run: batches are all or nothing and keyed, so running again finishes the job.
            raise CommandError(
                f"the database failed during the import ({str(error).strip()}). Batches written before it are kept "
                "and nothing half-written remains: run the same command again to finish.",
                returncode=1,
            ) from None
        if progress:
            progress.finish()
        self.stdout.write(report.summary())
        for failure in report.failures:
            self.stdout.write(f"  {failure}")
        for problem in report.picture_problems:
            # The story was imported without its picture: a warning, not a failure.
            self.stdout.write(self.style.WARNING(f"  {problem}"))
        for problem in report.genre_problems:
            # The story was imported, as news (or as the type of work its first genre gives): a warning too.
            self.stdout.write(self.style.WARNING(f"  {problem}"))
        for problem in report.dateline_problems:
            # The story was imported without a dateline place (or kept the one it had): a warning as well.
            self.stdout.write(self.style.WARNING(f"  {problem}"))
        for where, reason in report.held_stories:
            # Not a failure either, but the desk has to look: listed whatever the verbosity.
            self.stdout.write(self.style.WARNING(f"  held: {where}: {reason}"))
        if options["verbosity"] >= 2:
            for where, first in report.duplicate_of:
                self.stdout.write(f"  duplicate: {where} (same story as {first})")
        if options["dry_run"]:
            self.stderr.write("Dry run: nothing was written.")
        if report.failed:
            # As the summary counts them: a file, or one entry of a file holding many.
            raise CommandError(f"failed {report.failed} (listed above); the rest were imported.", returncode=1)
