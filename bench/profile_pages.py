"""CPU cost of rendering public pages uncached, one request at a time, in this process (not a load test).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/newsroom_bench_copy REDIS_URL=redis://127.0.0.1:6379/5 \\
        .venv/bin/python bench/profile_pages.py [--pages trivial,article,home,region,archive,month,day] \\
        [--count 200] [--explain] [--generic] [--profile article] [--rounds 3]

Serves each address through the project's WSGI application (the whole middleware stack, as gunicorn
would) with production-like settings: DEBUG off, page cache off, persistent connection. For each kind of
page it prints the Python CPU time per request (`time.process_time`, this process only), the wall time
spent waiting for PostgreSQL per request (timed around each query with `connection.execute_wrapper`;
PostgreSQL runs in its own process, so this is its time plus the round trip) and the number of queries.
`--profile KIND` adds a cProfile top list for that kind; `--explain` sums PostgreSQL's own execution time
(`EXPLAIN ANALYZE`) of the queries of the article pages. `--generic` plans every distinct query of the
chosen pages as PostgreSQL plans a prepared statement once it has run five times (a *generic* plan, made
for any values: `plan_cache_mode = force_generic_plan`) and as it plans it for its values (a custom plan),
and prints both execution times: the pages' queries are prepared statements (`DATABASE_SERVER_SIDE_BINDING`),
so a query fast with its values but slow with a generic plan is slow in production after ten requests.

Run it against a *copy* of the bench archive (`createdb -T newsroom_bench newsroom_bench_NAME`, then
`manage.py migrate`), never against the archive while it is being benchmarked. Articles come from
a seeded sample of the generated stories, so runs before and after a change read the same stories;
every kind is warmed first (compiled templates and queries, the connection, the site menu in the cache;
for article pages with 50 other stories), so the figures are those of a worker that has been serving.
Article pages choose their related stories from cached per-tag lists (articles/views.py), which stay in
the cache between runs for up to 600 s: a first run with a cold cache counts some one-off list queries
(the queries column then says 5–6), later runs none.
"""

import argparse
import cProfile
import io
import os
import pstats
import random
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

WARM = 50
SETTINGS = {
    "DEBUG": "false",
    "SECRET_KEY": "profile-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
    "ALLOWED_HOSTS": "127.0.0.1",
    "SECURE_SSL_REDIRECT": "false",
    "SECURE_HSTS_SECONDS": "0",
    "CONN_MAX_AGE": "600",
    "NEWSROOM_PAGE_CACHE_SECONDS": "0",
    "NEWSROOM_SEARCH_RATE_LIMIT": "0",
    "LOG_LEVEL": "WARNING",
}


class QueryTimer:
    """An execute wrapper that times every query (wall clock, as the worker waits for it) and keeps its SQL."""

    def __init__(self):
        self.seconds, self.queries = 0.0, []

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - started
            self.queries.append((sql, params))


def _environ(path):
    path, _, query = path.partition("?")
    return {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": "127.0.0.1",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
    }


def serve(application, path):
    """One request through the WSGI application; the status line and the body."""
    status = []
    body = b"".join(application(_environ(path), lambda s, headers, exc_info=None: status.append(s)))
    return status[0], body


def measure(application, paths):
    """Per-request CPU ms, PostgreSQL wait ms and query counts for `paths`, in order."""
    from django.db import connection

    cpu, database, counts = [], [], []
    for path in paths:
        timer = QueryTimer()
        with connection.execute_wrapper(timer):
            started = time.process_time()
            status, _ = serve(application, path)
            cpu.append((time.process_time() - started) * 1000)
        if not status.startswith("200"):
            raise RuntimeError(f"{path} answered {status}")
        database.append(timer.seconds * 1000)
        counts.append(len(timer.queries))
    return cpu, database, counts


def explain_ms(application, paths):
    """PostgreSQL's own execution time (EXPLAIN ANALYZE) per page, summed over each page's queries."""
    from django.db import connection

    totals = []
    for path in paths:
        timer = QueryTimer()
        with connection.execute_wrapper(timer):
            serve(application, path)
        total = 0.0
        with connection.cursor() as cursor:
            for sql, params in timer.queries:
                if not sql.lstrip().upper().startswith("SELECT"):
                    continue
                cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql, params)
                plan = cursor.fetchone()[0][0]
                total += plan["Planning Time"] + plan["Execution Time"]
        totals.append(total)
    return totals


def _numbered(sql):
    """Django's SQL (`%s` placeholders, `%%` for a percent sign) with PostgreSQL's `$1, $2, …` placeholders."""
    numbers = iter(range(1, 10**6))
    return re.sub(r"%(s|%)", lambda m: f"${next(numbers)}" if m.group(1) == "s" else "%", sql)


def generic_plans(application, paths):
    """[(custom ms, generic ms, SQL)] for each distinct SELECT the pages at `paths` run, slowest generic first."""
    import psycopg.sql
    from django.db import connection

    found = {}
    for path in paths:
        timer = QueryTimer()
        with connection.execute_wrapper(timer):
            serve(application, path)
        for sql, params in timer.queries:
            if sql.lstrip().upper().startswith("SELECT"):
                found.setdefault(sql, params)
    results = []
    with connection.cursor() as cursor:
        raw = cursor.connection  # psycopg's own connection, to quote the values as SQL literals
        for number, (sql, params) in enumerate(found.items()):
            name = f"newsroom_plan_check_{number}"
            cursor.execute(f"PREPARE {name} AS {_numbered(sql)}")
            values = ", ".join(psycopg.sql.Literal(value).as_string(raw) for value in params)
            times = []
            for mode in ("force_custom_plan", "force_generic_plan"):
                cursor.execute(f"SET plan_cache_mode = {mode}")
                cursor.execute(f"EXPLAIN (ANALYZE, FORMAT JSON) EXECUTE {name}({values})" if values else
                               f"EXPLAIN (ANALYZE, FORMAT JSON) EXECUTE {name}")  # fmt: skip
                times.append(cursor.fetchone()[0][0]["Execution Time"])
            cursor.execute(f"DEALLOCATE {name}")
            results.append((*times, sql))
        cursor.execute("RESET plan_cache_mode")
    return sorted(results, key=lambda row: -row[1])


def profile(application, paths, top=35, dump=None):
    """A cProfile top list (cumulative and own time) over serving `paths`; `dump` also writes the raw stats
    there (for `python -m pstats`)."""
    profiler = cProfile.Profile()
    profiler.enable()
    for path in paths:
        serve(application, path)
    profiler.disable()
    if dump:
        profiler.dump_stats(dump)
    for order in ("cumulative", "tottime"):
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats(order).print_stats(top)
        print(out.getvalue())


def sample_articles(count, seed=7):
    """Canonical addresses of `count` generated stories, the same ones on every run (a seeded sample)."""
    from articles.models import Article
    from bench.site_corpus import TAG_ARTICLE

    rows = list(Article.objects.filter(source=TAG_ARTICLE).order_by("pk").values_list("pk", "slug", "language"))
    chosen = random.Random(seed).sample(rows, min(count, len(rows)))
    return [f"{'/ar' if lang == 'ar' else ''}/article/{pk}/{slug}/" for pk, slug, lang in chosen]


def sample_archive_pages(count, seed=8):
    """The archive's month and day addresses of `count` generated stories (a seeded sample), in their editions."""
    from django.utils import translation

    from articles.archive_views import story_archive_paths
    from articles.models import Article
    from bench.site_corpus import TAG_ARTICLE

    pks = list(Article.objects.filter(source=TAG_ARTICLE).order_by("pk").values_list("pk", flat=True))
    chosen = Article.objects.filter(pk__in=random.Random(seed).sample(pks, min(count, len(pks)))).order_by("pk")
    months, days = [], []
    for article in chosen.only("language", "first_published_at", "scheduled_for"):
        with translation.override(article.language):
            _, month, day = story_archive_paths(article)
        months.append(month)
        days.append(day)
    return months, days


def _summary(name, cpu, database, counts):
    return (
        f"{name:8} n={len(cpu):4}  CPU ms/page: mean {statistics.mean(cpu):6.2f} median {statistics.median(cpu):6.2f}"
        f"  |  PostgreSQL wait ms/page: mean {statistics.mean(database):6.2f}"
        f" median {statistics.median(database):6.2f}  |  queries {min(counts)}–{max(counts)}"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--pages", default="trivial,article,home,region", help="trivial is /healthz; also archive, month, day"
    )
    parser.add_argument("--count", type=int, default=200, help="requests per kind of page")
    parser.add_argument("--profile", default="", help="kind of page to run under cProfile")
    parser.add_argument("--dump", default="", help="with --profile: write the raw cProfile stats to this file")
    parser.add_argument("--explain", action="store_true", help="PostgreSQL execution time of the article pages")
    parser.add_argument("--generic", action="store_true", help="custom and generic plans of the pages' queries")
    parser.add_argument("--rounds", type=int, default=1, help="repeat the measurement, print each round")
    args = parser.parse_args()

    for name, value in SETTINGS.items():
        os.environ[name] = value
    # With DEBUG off the pages name static files by their hashed names, which collectstatic records.
    collect = [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"]
    subprocess.run(collect, cwd=ROOT, check=True)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
    import django

    django.setup()
    from django.core.wsgi import get_wsgi_application

    from articles.models import Region

    application = get_wsgi_application()
    # Other stories warm the process first: compiled templates and queries, as in a worker that has been serving.
    articles = sample_articles(args.count + WARM)
    warm, articles = articles[:WARM], articles[WARM:]
    region = Region.objects.get(name="Syria").get_absolute_url()
    months, days = sample_archive_pages(args.count)
    kinds = {
        "trivial": ["/healthz"] * args.count,
        "article": articles,
        "home": ["/"] * args.count,
        "region": [region] * args.count,
        "archive": ["/archive/", "/ar/archive/"] * (args.count // 2),
        "month": months,
        "day": days,
    }
    chosen = [k.strip() for k in args.pages.split(",") if k.strip()]
    for kind in chosen:
        measure(application, warm if kind == "article" else kinds[kind][:5])
    for round_ in range(args.rounds):
        for kind in chosen:
            label = f"{kind}" if args.rounds == 1 else f"{kind}#{round_ + 1}"
            print(_summary(label, *measure(application, kinds[kind])), flush=True)
    if args.explain:
        totals = explain_ms(application, articles[: min(len(articles), 100)])
        print(f"article  PostgreSQL execution (EXPLAIN ANALYZE) ms/page: mean {statistics.mean(totals):.2f}"
              f" median {statistics.median(totals):.2f}")  # fmt: skip
    if args.generic:
        for kind in chosen:
            for custom, generic, sql in generic_plans(application, kinds[kind][:20]):
                flag = "  <-- generic plan slow" if generic > max(1.0, 3 * custom) else ""
                print(f"{kind:8} custom {custom:8.2f} ms  generic {generic:8.2f} ms  {sql[:70]}…{flag}")
    if args.profile:
        profile(application, kinds[args.profile], dump=args.dump or None)


if __name__ == "__main__":
    main()
