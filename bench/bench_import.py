"""Bulk import on PostgreSQL: 100,000 generated plain-text stories with automatic tagging.

Side by side, in one run (`make bench BENCH=import`, or `python bench/bench_import.py` alone):

- ours: `manage.py import_articles DIR` in a subprocess (first run), its peak memory (max RSS), and the
  re-run of the same import (nothing to write; every input recorded by the first run, so none is parsed:
  `articles/importers/records.py`);
- baseline: the naive loop (parse, tag, then `Article.objects.create` and `tags.add` per story) on a sample,
  extrapolated to articles per second;
- limit: PostgreSQL `COPY` of the same article and tag-link rows (already parsed and tagged) into the tables.

The database is a scratch one of its own, BENCH_IMPORT_DATABASE_URL (default newsroom_importbench): it is
dropped and created afresh at the start, so a schema or data left by an earlier run cannot skew or break the
figures (never point it at a database you keep). Stories are generated deterministically:
realistic lengths (250-700 words), gazetteer names sprinkled through them, a site/section header on a third.
"""

import os
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import ensure_database, use_database  # noqa: E402 (needs the project on the path)

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/newsroom_importbench"
WORDS = (  # noqa: SIM905 -- a word list reads better as prose
    "the a of to in and on for with by at from after said officials forces fighters town village residents "
    "attack offensive talks border crossing government security army police militia camp families aid "
    "convoy ministry spokesman report reported local sources killed wounded displaced returned week monday "
    "tuesday wednesday thursday friday saturday sunday morning night area district province river road "
    "checkpoint market school hospital water electricity prices election parliament court trial sentence "
    "negotiations ceasefire agreement deal statement according to monitor observers clashes shelling drone "
    "strike raid operation cells remnants sleeper rebuilt reconstruction farmers harvest drought oil exports"
).split()
SECTIONS = ["Iraq News - Local News", "Syria News - Frontline", "Region - Politics", "Economy - Energy"]


def _names():
    """Place and actor names from the curated gazetteer files (the text the tagger will find)."""
    import csv

    names = []
    for file in ("regions.csv", "actors.csv"):
        with open(ROOT / "articles" / "gazetteer" / file, encoding="utf-8") as handle:
            names += [row["name"] for row in csv.DictReader(handle)]
    return names


def generate(directory, count, seed=5):
    """Write `count` stories under `directory` (1,000 per folder); returns the bytes written."""
    rng = random.Random(seed)
    names = _names()
    size = 0
    for n in range(count):
        folder = directory / f"{n // 1000:04}"
        if n % 1000 == 0:
            folder.mkdir(parents=True, exist_ok=True)
        paragraphs = []
        for _p in range(rng.randint(6, 14)):
            sentences = []
            for _s in range(rng.randint(2, 4)):
                words = rng.choices(WORDS, k=rng.randint(10, 22))
                words[rng.randrange(len(words))] = rng.choice(names)
                sentences.append(" ".join(words).capitalize() + ".")
            paragraphs.append(" ".join(sentences))
        headline = f"{rng.choice(names)} {' '.join(rng.choices(WORDS, k=6))} {n}"
        header = f"{rng.choice(SECTIONS)} - Example Wire\n\n" if n % 3 == 0 else ""
        text = f"{header}{headline}\n\n" + "\n\n".join(paragraphs) + "\n"
        (folder / f"{n:06}.txt").write_text(text, encoding="utf-8")
        size += len(text)
    return size


def _children_cpu():
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _postgres_cpu():
    """CPU seconds of PostgreSQL's ended processes (the postmaster's reaped children: backends, autovacuum
    workers), or None when the server is not on this machine or its /proc entry is not readable.

    The import's backend ends with the import, so the difference over a run is PostgreSQL's share of it,
    plus whatever else the server did meanwhile: meaningful on a quiet machine only.
    """
    from django.db import connection

    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            backend = cursor.fetchone()[0]
        with open(f"/proc/{backend}/stat") as handle:
            postmaster = int(handle.read().rsplit(")", 1)[1].split()[1])
        with open(f"/proc/{postmaster}/stat") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
    except (OSError, IndexError, ValueError):
        return None
    return (int(fields[13]) + int(fields[14])) / os.sysconf("SC_CLK_TCK")


def _command(*args):
    """Run manage.py in a child process; returns (seconds, output, CPU seconds of it and its workers).

    The CPU time (not counting PostgreSQL's) says what the import costs whatever else keeps the shared
    cores busy; the wall-clock rate does not.
    """
    cpu = _children_cpu()
    started = time.monotonic()
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, capture_output=True, text=True, env=os.environ.copy()
    )
    elapsed = time.monotonic() - started
    if result.returncode != 0:
        raise RuntimeError(f"manage.py {' '.join(args)} failed: {result.stdout[-500:]} {result.stderr[-2000:]}")
    return elapsed, result.stdout.strip(), _children_cpu() - cpu


def _empty_articles():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE articles_article, articles_section, articles_author RESTART IDENTITY CASCADE")


def naive_loop(directory, sample):
    """Articles per second of the naive loop (one create and one tags.add per story) on `sample` stories."""
    from django.db import transaction

    from articles.importers.fields import paragraphs_html
    from articles.importers.plaintext import parse_text
    from articles.models import Actor, Article, Region
    from articles.tagging import get_matcher

    files = sorted(directory.glob("*/*.txt"))[:sample]
    matcher = get_matcher()
    started = time.monotonic()
    for path in files:
        story = parse_text(path.read_text(encoding="utf-8"))
        found = matcher.find(story.headline, "", story.body)
        with transaction.atomic():
            article = Article.objects.create(
                headline=story.headline, slug="naive", body=story.body or paragraphs_html(""), source="naive"
            )
            article.regions.add(*Region.objects.filter(pk__in=found.regions))
            article.actors.add(*Actor.objects.filter(pk__in=found.actors))
    rate = len(files) / (time.monotonic() - started)
    Article.objects.filter(source="naive").delete()
    return rate


def copy_limit(directory, sample):
    """Articles per second of PostgreSQL COPY of the same rows (articles, region and actor links), prepared."""
    from django.db import connection
    from django.utils import timezone

    from articles.importers.plaintext import parse_text
    from articles.models.fields import tag_lexemes
    from articles.tagging import get_matcher

    matcher = get_matcher()
    rows = []
    for path in sorted(directory.glob("*/*.txt"))[:sample]:
        story = parse_text(path.read_text(encoding="utf-8"))
        found = matcher.find(story.headline, "", story.body)
        rows.append((story, found))
    now = timezone.now()
    # search_tags as the importer writes it (the tag lexemes), so the links' trigger has nothing to change.
    columns = (
        "id, headline, slug, standfirst, body, language, kicker, byline, credit, status, created_at, updated_at, "
        "version, source, source_id, source_url, withdrawal_reason, import_digest, lead_image_caption, search_tags"
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT COALESCE(MAX(id), 0) FROM articles_article")
        first_id = cursor.fetchone()[0] + 1
        started = time.monotonic()
        raw = cursor.cursor
        with raw.copy(f"COPY articles_article ({columns}) FROM STDIN") as copy:
            for n, (story, found) in enumerate(rows):
                copy.write_row(
                    (first_id + n, story.headline, "copy", "", story.body, "en", "", "", "", "draft", now, now, 1)
                    + ("copy", f"c{n}", "", "", "", "", " ".join(tag_lexemes(found.regions, found.actors)))
                )
        with raw.copy("COPY articles_articleregion (content_object_id, tag_id) FROM STDIN") as copy:
            for n, (_story, found) in enumerate(rows):
                for tag in found.regions:
                    copy.write_row((first_id + n, tag))
        with raw.copy("COPY articles_articleactor (content_object_id, tag_id) FROM STDIN") as copy:
            for n, (_story, found) in enumerate(rows):
                for tag in found.actors:
                    copy.write_row((first_id + n, tag))
        rate = len(rows) / (time.monotonic() - started)
        for table in ("articles_articleregion", "articles_articleactor"):
            cursor.execute(f"DELETE FROM {table} WHERE content_object_id >= %s", [first_id])
        cursor.execute("DELETE FROM articles_article WHERE source = 'copy'")
    return rate


def _peak_child_rss_mb():
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def run(context):
    """The benchmark rows for bench/run.py."""
    database_url = os.environ.get("BENCH_IMPORT_DATABASE_URL") or DEFAULT_DB
    ensure_database(database_url, recreate=True)
    use_database(database_url)
    count = context.get("scale", 100_000)
    directory = Path(context["scratch"]) / "stories"
    started = time.monotonic()
    size = generate(directory, count)
    print(f"generated {count} stories ({size / 1e6:.0f} MB) in {time.monotonic() - started:.0f}s", file=sys.stderr)
    load = os.getloadavg()[0]
    _command("migrate", "-v0")
    _command("load_gazetteer")
    _empty_articles()
    rss_before = _peak_child_rss_mb()
    postgres_before = _postgres_cpu()
    first, summary, first_cpu = _command("import_articles", str(directory))
    postgres_after = _postgres_cpu()
    peak = _peak_child_rss_mb()
    print(f"first run {first:.1f}s: {summary}", file=sys.stderr)
    rerun, summary_again, rerun_cpu = _command("import_articles", str(directory))
    print(f"re-run {rerun:.1f}s: {summary_again}", file=sys.stderr)
    naive = naive_loop(directory, min(2000, count))
    limit = copy_limit(directory, min(20000, count))
    rate = count / first
    memory_note = f"peak RSS {peak:.0f} MB" + (" (a child before the import was larger)" if rss_before > peak else "")
    postgres_note = (
        f" + {(postgres_after - postgres_before) / count * 1000:.2f} in PostgreSQL's ended processes"
        if postgres_before is not None and postgres_after is not None
        else ""
    )
    return [
        {
            "benchmark": f"import {count:,} plain-text stories, auto-tagged",
            "unit": "articles/s",
            "ours": round(rate, 1),
            "baseline": round(naive, 1),
            "limit": round(limit, 1),
            "target": ">= 1500",
            "met": rate >= 1500,
            "note": f"{first:.0f}s, {memory_note}; {first_cpu / count * 1000:.2f} CPU-ms per story in the import "
            f"processes{postgres_note}; load average {load:.1f} at the start; "
            f"baseline = naive create + tags.add loop on 2,000 stories; "
            f"limit = COPY of the same prepared rows ({summary})",
        },
        {
            "benchmark": "import peak memory",
            "unit": "MB (max RSS)",
            "ours": round(peak, 1),
            "target": "< 500",
            "met": peak < 500,
        },
        {
            "benchmark": "re-run of the same import",
            "unit": "x faster than first",
            "ours": round(first / rerun, 1),
            "target": ">= 5",
            "met": first / rerun >= 5,
            "note": f"{rerun:.0f}s ({summary_again}); by CPU time {first_cpu / rerun_cpu:.1f}x "
            f"({rerun_cpu / count * 1000:.2f} CPU-ms per story; import processes' CPU {first_cpu:.0f} s first, "
            f"{rerun_cpu:.1f} s re-run)",
        },
    ]


if __name__ == "__main__":
    import tempfile

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
    scale = int(sys.argv[1]) if len(sys.argv) > 1 else int(os.environ.get("BENCH_ARTICLES", "100000"))
    for row in run({"scratch": tempfile.mkdtemp(prefix="bench-import-"), "scale": scale}):
        print(row)
