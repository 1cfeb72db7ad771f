"""`make bench BENCH=site`: the public site under load, served by gunicorn on PostgreSQL, measured with wrk.

In one run, on loopback only, each measurement bounded (DURATION seconds):

1. the archive is generated if needed (≥ BENCH_ARTICLES stories, default 100,000; see site_corpus.py);
2. gunicorn serves the site with the page cache on (Redis db 1): the trivial view (/healthz), one article
   page, home and a region page, each answered from the cache after the first request;
3. gunicorn serves it again with the page cache off: random article pages from the whole archive, home,
   the region page and search with a mix of reader queries (p95 latency).

Every figure is set against the trivial Django view served by the same gunicorn in the same phase.
"""

import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import Gunicorn, ensure_database, use_database  # noqa: E402 (needs the project on the path)

ROOT = Path(__file__).resolve().parent.parent
BENCH_SECRET_KEY = "bench-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"
DURATION = int(os.environ.get("BENCH_SITE_SECONDS", "10"))
CONNECTIONS = 16
# Other work shares the machine's cores: every load run is repeated and the median is reported.
REPEATS = int(os.environ.get("BENCH_SITE_REPEATS", "3"))
WORKERS = int(os.environ.get("BENCH_SITE_WORKERS", str((os.cpu_count() or 2) + 1)))
REDIS = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/1")
SEARCHES = [
    "Kirkuk", "Deir ez-Zor", "ceasefire talks", "Islamic State", "Daesh", "Baghdad protest", "oil revenue",
    "water drought farmers", "Peshmerga Erbil", "Raqqa reconstruction", "الموصل", "داعش", "Hasakah camp",
    "Popular Mobilization Forces", "SDF", "electricity prices", "court trial corruption", "Idlib airstrike",
]  # fmt: skip
LUA = """
paths = {%s}
math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16))
request = function()
  return wrk.format("GET", paths[math.random(#paths)])
end
done = function(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  io.write(string.format("NEWSROOM rps=%%.1f p50=%%.2f p95=%%.2f errors=%%d non2xx=%%d\\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    errors, summary.errors.status))
end
"""


def server(database_url, cache_seconds):
    """gunicorn serving the project on loopback with production-like settings."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DEBUG": "false",
        "SECRET_KEY": BENCH_SECRET_KEY,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "SECURE_HSTS_SECONDS": "0",
        "CONN_MAX_AGE": "600",
        "REDIS_URL": REDIS,
        "NEWSROOM_PAGE_CACHE_SECONDS": str(cache_seconds),
        "LOG_LEVEL": "WARNING",
        # The per-address search limit would answer the load tool with 429 after 30 searches.
        "NEWSROOM_SEARCH_RATE_LIMIT": "0",
    }
    return Gunicorn(env, WORKERS)


def load(server, paths, scratch, connections=CONNECTIONS):
    """wrk against `paths` REPEATS times; the median run's requests/s and latency percentiles (ms)."""
    runs = [_load_once(server, paths, scratch, connections) for _ in range(REPEATS)]
    median = {key: sorted(run[key] for run in runs)[len(runs) // 2] for key in runs[0]}
    median["errors"] = sum(run["errors"] for run in runs)
    return median


def _load_once(server, paths, scratch, connections):
    """Run wrk once against `paths` (picked at random per request); requests/s and latency percentiles (ms)."""
    script = Path(scratch) / f"paths-{random.random():.8f}.lua"
    quoted = ", ".join('"' + p.replace("\\", "\\\\").replace('"', '\\"') + '"' for p in paths)
    script.write_text(LUA % quoted)
    out = subprocess.run(
        ["wrk", "-t2", f"-c{max(2, connections)}", f"-d{DURATION}s", "-s", str(script), server.url("/")],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    found = dict(re.findall(r"(\w+)=([\d.]+)", out.split("NEWSROOM", 1)[1]))
    figures = {k: float(v) for k, v in found.items()}
    if figures["non2xx"]:
        raise RuntimeError(f"load run got error responses: {out}")
    # Socket errors are wrk's 2-second timeouts under overload; they are reported, not hidden.
    return figures


def _row(benchmark, unit, ours, baseline, limit, target, met, note):
    return {
        "benchmark": benchmark, "unit": unit, "ours": round(ours, 1), "baseline": baseline and round(baseline, 1),
        "limit": limit and round(limit, 1), "target": target, "met": met, "note": note,
    }  # fmt: skip


def _prepare(context):
    ensure_database(context["database_url"])
    use_database(context["database_url"])
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor != "postgresql":
        raise RuntimeError("the site benchmark needs PostgreSQL (DATABASE_URL)")
    call_command("migrate", verbosity=0)
    # With DEBUG off the pages link static files by their hashed names, which collectstatic records; it must
    # run with the server's settings (DEBUG off selects the manifest storage), hence its own process.
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
        cwd=ROOT, check=True,
        env={**os.environ, "DEBUG": "false", "SECRET_KEY": BENCH_SECRET_KEY},
    )  # fmt: skip
    with connection.cursor() as cursor:
        # SSD storage: random reads cost little more than sequential ones (applies to new connections).
        cursor.execute(f"ALTER DATABASE {connection.ops.quote_name(connection.settings_dict['NAME'])} "
                       "SET random_page_cost = 1.1")  # fmt: skip
    from bench import site_corpus

    spent = site_corpus.generate(context["scale"], log=lambda line: print(line, file=sys.stderr))
    with connection.cursor() as cursor:
        # Fresh statistics and visibility map, so the planner knows the archive and index-only scans
        # (article_public_columns, the links' tag indexes) need not visit the table.
        cursor.execute("VACUUM ANALYZE articles_article, articles_articleregion, articles_articleactor")
    from articles.models import Region

    region = Region.objects.get(name="Syria").get_absolute_url()
    articles = site_corpus.sample_paths(3000)
    connection.close()
    return spent, region, articles


def run(context):
    """Measure the public site; returns rows for bench/run.py's table."""
    if not shutil.which("wrk"):
        raise RuntimeError("wrk is missing: apt-get install -y wrk")
    spent, region, articles = _prepare(context)
    scratch = context.get("scratch") or tempfile.mkdtemp()
    searches = ["/search/?" + urllib.parse.urlencode({"q": q}) for q in SEARCHES]
    results = {}
    with server(context["database_url"], cache_seconds=600) as cached:
        cached.warm(["/healthz", articles[0], "/", region])
        results["trivial (cache phase)"] = load(cached, ["/healthz"], scratch)
        results["article cached"] = load(cached, [articles[0]], scratch)
        results["home cached"] = load(cached, ["/"], scratch)
        results["region cached"] = load(cached, [region], scratch)
    with server(context["database_url"], cache_seconds=0) as uncached:
        uncached.warm(["/healthz", "/"])
        results["trivial (uncached phase)"] = load(uncached, ["/healthz"], scratch)
        results["article uncached"] = load(uncached, articles, scratch)
        results["home uncached"] = load(uncached, ["/"], scratch)
        results["region uncached"] = load(uncached, [region], scratch)
        # Latency is measured with as many connections as workers, so it is the time to answer a search,
        # not the time spent queueing in front of busy workers.
        results["search"] = load(uncached, searches, scratch, connections=WORKERS)
    for name, figures in results.items():
        print(f"  {name}: {figures}", file=sys.stderr)
    timeouts = sum(f["errors"] for f in results.values())
    trivial_cached = results["trivial (cache phase)"]["rps"]
    trivial = results["trivial (uncached phase)"]["rps"]
    setup = (
        f"{context['scale']:,} stories; gunicorn {WORKERS} sync workers; "
        f"wrk {CONNECTIONS} connections, median of {REPEATS} x {DURATION}s"
    )
    rows = []
    for page in ("article", "home", "region"):
        ours = results[f"{page} cached"]["rps"]
        rows.append(
            _row(f"site: {page} page, cached", "req/s", ours, results[f"{page} uncached"]["rps"], trivial_cached,
                 ">= 80% of trivial view", ours >= 0.8 * trivial_cached,
                 f"{ours / trivial_cached:.0%} of the trivial view; baseline = same page uncached; {setup}")
        )  # fmt: skip
    for page in ("article", "home", "region"):
        ours = results[f"{page} uncached"]["rps"]
        target = ">= 25% of trivial view" if page == "article" else None
        rows.append(
            _row(f"site: {page} page, uncached", "req/s", ours, None, trivial, target,
                 ours >= 0.25 * trivial if page == "article" else None,
                 f"{ours / trivial:.0%} of the trivial view (limit); p95 {results[f'{page} uncached']['p95']:.1f} ms"
                 + ("; random stories from the whole archive" if page == "article" else ""))
        )  # fmt: skip
    search = results["search"]
    rows.append(
        _row("site: search p95", "ms", search["p95"], None, None, "< 50 ms", search["p95"] < 50,
             f"{len(SEARCHES)} reader queries at random, page cache off, {WORKERS} connections (one per worker); "
             f"p50 {search['p50']:.1f} ms, {search['rps']:.0f} req/s")
    )  # fmt: skip
    rows.append(
        _row("site: generate archive", "s", spent, None, None, "a few minutes", spent < 300,
             "0 = archive reused" if not spent else f"{context['scale']:,} stories with COPY")
    )  # fmt: skip
    if timeouts:
        rows[-1]["note"] += f"; {timeouts:.0f} requests timed out (> 2 s) during the runs"
    return rows


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")

    for row in run({"database_url": os.environ["DATABASE_URL"], "scale": 100_000, "scratch": tempfile.mkdtemp()}):
        print(row)
