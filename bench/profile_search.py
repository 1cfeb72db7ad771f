"""Per-request profile of the site bench's search queries: Python CPU and PostgreSQL time, query by query.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/newsroom_bench_search \\
        .venv/bin/python bench/profile_search.py [--runs 5] [--sort newest] [--explain "Baghdad protest"]

Runs each of `bench_site.SEARCHES` through Django's test client in this one process (DEBUG off, page cache
off, search rate limit off), `--runs` times after one warm-up request, and prints per query the median of:

- `cpu ms`: `time.process_time()` of the whole request in this process (Python: the view, the ORM, the
  template, the driver), which the database's own work does not count in;
- `pg ms`: the request's SQL, captured and replayed with `EXPLAIN (ANALYZE, BUFFERS, TIMING OFF)`: the sum of
  planning and execution time the server reports;
- `wall ms`: the request's wall-clock time (moves with the machine's load; the two above much less);
- `queries`, and the slowest query's share.

`--sort newest` runs every search (and `--explain`, `--dump`) with results newest first instead of by relevance
(the default, the addresses `make bench` requests).
`--explain TEXT` prints the full plan (with per-node timing) of every query of that search instead.
`--dump FILE` writes every search's SQL (parameters inlined) to FILE as JSON; `--compare A B` replays two
such dumps (say, before and after a change) alternately, `--runs` times, and prints each search's fastest
server time in each, which a busy machine disturbs much less than a single run; `--before-url URL` replays
the first dump on another database (a copy not yet migrated to the schema the second dump needs).
Use a copy of the bench archive, never `newsroom_bench` itself while it is being benchmarked. This is a
per-request profile; `make bench BENCH=site` measures the same searches under load with wrk.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
os.environ.update(
    {
        "DEBUG": "false",
        "SECRET_KEY": os.environ.get("SECRET_KEY", "profile-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"),
        "ALLOWED_HOSTS": "testserver",
        "SECURE_SSL_REDIRECT": "false",
        "NEWSROOM_PAGE_CACHE_SECONDS": "0",
        "NEWSROOM_SEARCH_RATE_LIMIT": "0",
        "LOG_LEVEL": "WARNING",
    }
)


class Recorder:
    """A database execute wrapper that keeps every statement with its parameters and wall time."""

    def __init__(self):
        self.queries = []

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.queries.append((sql, params, (time.perf_counter() - started) * 1000))


def server_ms(cursor, sql, params):
    """Planning plus execution time (ms) PostgreSQL reports for one statement."""
    cursor.execute("EXPLAIN (ANALYZE, BUFFERS, TIMING OFF, FORMAT JSON) " + sql, params)
    (plan,) = cursor.fetchone()[0]
    return plan["Planning Time"] + plan["Execution Time"]


def explain(cursor, sql, params):
    cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
    return "\n".join(row[0] for row in cursor.fetchall())


def profile(client, connection, path, runs):
    """Median cpu, pg and wall ms of `runs` requests for `path`, the query count and the slowest query's ms."""
    client.get(path)  # warm-up: templates compiled, vocabulary caches filled, pages in shared buffers
    cpu, pg, wall, slowest = [], [], [], []
    for _ in range(runs):
        recorder = Recorder()
        with connection.execute_wrapper(recorder):
            started_cpu, started = time.process_time(), time.perf_counter()
            response = client.get(path)
            cpu.append((time.process_time() - started_cpu) * 1000)
            wall.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (path, response.status_code)
        with connection.cursor() as cursor:
            times = [server_ms(cursor, sql, params) for sql, params, _ in recorder.queries]
        pg.append(sum(times))
        slowest.append(max(times))
    return {
        "cpu": statistics.median(cpu),
        "pg": statistics.median(pg),
        "wall": statistics.median(wall),
        "queries": len(recorder.queries),
        "slowest": statistics.median(slowest),
    }


def inlined(connection, sql, params):
    """`sql` with `params` written into it, as psycopg's client-side binding would send it (the connection
    binds on the server, so its own cursors cannot print this)."""
    import psycopg

    connection.ensure_connection()
    return psycopg.ClientCursor(connection.connection).mogrify(sql, params)


def address(text, sort="relevance"):
    """The search page's address for `text`, with results in `sort` order (relevance: no parameter, the
    address the site bench requests)."""
    import urllib.parse

    return "/search/?" + urllib.parse.urlencode({"q": text} if sort == "relevance" else {"q": text, "sort": sort})


def dump(client, connection, searches, path, sort="relevance"):
    """Write {search: [SQL with its parameters inlined, …]} for every search to `path`."""
    import json

    statements = {}
    for text in searches:
        url = address(text, sort)
        client.get(url)
        recorder = Recorder()
        with connection.execute_wrapper(recorder):
            client.get(url)
        statements[text] = [inlined(connection, sql, params) for sql, params, _ in recorder.queries]
    Path(path).write_text(json.dumps(statements, ensure_ascii=False, indent=1))


def compare(connection, before, after, runs, before_url=None):
    """Replay two dumps alternately; print each search's fastest total server time (ms) in each.

    With `before_url`, the first dump is replayed on that database (say, a copy of the archive not yet
    migrated to the schema the second dump needs) and the second on DATABASE_URL.
    """
    import json

    import psycopg

    dumps = [json.loads(Path(path).read_text()) for path in (before, after)]
    print(f"{'query':32} {'before':>8} {'after':>8}   (fastest of {runs}, planning + execution, all queries)")
    totals = [[], []]
    with connection.cursor() as cursor:
        other = psycopg.connect(before_url, autocommit=True) if before_url else None
        cursors = [other.cursor() if other else cursor, cursor]
        for text in dumps[0]:
            best = [float("inf"), float("inf")]
            for _ in range(runs):
                for side, statements in enumerate(dumps):
                    ms = sum(server_ms(cursors[side], sql, None) for sql in statements[text])
                    best[side] = min(best[side], ms)
            totals[0].append(best[0])
            totals[1].append(best[1])
            print(f"{text:32} {best[0]:8.1f} {best[1]:8.1f}")
    print(f"{'mean':32} {statistics.mean(totals[0]):8.1f} {statistics.mean(totals[1]):8.1f}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--explain", metavar="TEXT", help="print the plans of this search's queries")
    parser.add_argument("--dump", metavar="FILE", help="write every search's SQL to FILE (JSON)")
    parser.add_argument("--compare", nargs=2, metavar="FILE", help="replay two dumps alternately")
    parser.add_argument("--before-url", metavar="URL", help="with --compare: replay the first dump on this database")
    parser.add_argument("--sort", choices=["relevance", "newest"], default="relevance", help="the results' order")
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection
    from django.test import Client

    from bench.bench_site import SEARCHES

    if connection.vendor != "postgresql":
        raise SystemExit("needs PostgreSQL (DATABASE_URL)")
    client = Client()
    if args.compare:
        return compare(connection, *args.compare, runs=args.runs, before_url=args.before_url)
    if args.dump:
        return dump(client, connection, SEARCHES, args.dump, args.sort)
    if args.explain:
        path = address(args.explain, args.sort)
        client.get(path)
        recorder = Recorder()
        with connection.execute_wrapper(recorder):
            client.get(path)
        with connection.cursor() as cursor:
            for sql, params, ms in recorder.queries:
                print(f"-- {ms:.1f} ms seen by the client\n{inlined(connection, sql, params)}\n")
                print(explain(cursor, sql, params), end="\n\n")
        return
    print(f"{'query':32} {'cpu ms':>7} {'pg ms':>7} {'wall ms':>8} {'queries':>7} {'slowest':>8}")
    rows = []
    for text in SEARCHES:
        row = profile(client, connection, address(text, args.sort), args.runs)
        rows.append(row)
        print(
            f"{text:32} {row['cpu']:7.1f} {row['pg']:7.1f} {row['wall']:8.1f} {row['queries']:7d} {row['slowest']:8.1f}"
        )
    cost = sorted(r["cpu"] + r["pg"] for r in rows)
    print(
        f"{'mean':32} {statistics.mean(r['cpu'] for r in rows):7.1f} {statistics.mean(r['pg'] for r in rows):7.1f} "
        f"{statistics.mean(r['wall'] for r in rows):8.1f}"
    )
    # Each of the 18 searches is equally likely: the p95 of a request is about the 2nd-costliest search.
    print(f"cpu + pg per search: median {statistics.median(cost):.1f} ms, 17th of 18 {cost[-2]:.1f} ms")


if __name__ == "__main__":
    main()
