"""`make reliability`: faults, load and hostile input, on loopback only, each phase bounded in time.

Not run by the tests or CI. Phases (cheapest first; `--phases kill,fuzz,outage,load,twoservers` picks some):

- kill: an import of RELIABILITY_IMPORT_STORIES stories is killed with SIGKILL at random moments (several
  runs), then run to the end; the database must equal that of one clean run (scratch SQLite files).
- fuzz: hypothesis generates hostile inputs in every importer format for RELIABILITY_FUZZ_SECONDS; no input
  may crash the pipeline and each must be imported or reported (scratch SQLite file).
- outage: gunicorn on PostgreSQL under load while the database goes away (its connections are killed and
  new ones refused for RELIABILITY_OUTAGE_SECONDS) during a publisher's moves and an import; requests during
  the outage must get the 503 page, the service must recover by itself, and no import or workflow event
  may be lost. The outage is scoped to our own database (ALLOW_CONNECTIONS false + pg_terminate_backend)
  rather than a cluster restart, because the cluster is shared with other work on this machine.
- load: RELIABILITY_LOAD_SECONDS (60) at 64 connections (wrk) against gunicorn on PostgreSQL with the
  100,000-story archive (bench/site_corpus.py) while a publisher publishes and corrects stories and an
  import runs: no 5xx, and every published story visible on its page within one second.
- twoservers: two gunicorns sharing PostgreSQL and Redis: a correction made through one shows through the
  other at once; two editors saving the same story through different servers: one wins, one is refused
  with their text kept.

Prints a summary and writes bench/reliability.json.
"""

import argparse
import concurrent.futures
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import Gunicorn, ensure_database  # noqa: E402 (needs the project on the path)

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
DATABASE_URL = os.environ.get("RELIABILITY_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/newsroom_reliability")
REDIS_URL = os.environ.get("RELIABILITY_REDIS_URL", "redis://127.0.0.1:6379/4")
ARTICLES = int(os.environ.get("RELIABILITY_ARTICLES", "100000"))
LOAD_SECONDS = int(os.environ.get("RELIABILITY_LOAD_SECONDS", "60"))
CONNECTIONS = int(os.environ.get("RELIABILITY_CONNECTIONS", "64"))
FUZZ_SECONDS = int(os.environ.get("RELIABILITY_FUZZ_SECONDS", "60"))
OUTAGE_SECONDS = int(os.environ.get("RELIABILITY_OUTAGE_SECONDS", "5"))
IMPORT_STORIES = int(os.environ.get("RELIABILITY_IMPORT_STORIES", "2000"))
KILLS = int(os.environ.get("RELIABILITY_KILLS", "4"))
SERVER_ENV = {
    "DEBUG": "false",
    "SECRET_KEY": "reliability-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
    "ALLOWED_HOSTS": "127.0.0.1,localhost",
    "SECURE_SSL_REDIRECT": "false",
    "SECURE_HSTS_SECONDS": "0",
    "SESSION_COOKIE_SECURE": "false",
    "CSRF_COOKIE_SECURE": "false",
    "REDIS_URL": REDIS_URL,
    "LOG_LEVEL": os.environ.get("RELIABILITY_LOG_LEVEL", "WARNING"),
    "NEWSROOM_SEARCH_RATE_LIMIT": "100000",
    "NEWSROOM_LOGIN_FAILURE_LIMIT": "1000",
}
LUA = """
paths = {%s}
local threads = {}
setup = function(thread) table.insert(threads, thread) end
init = function() s2xx = 0; gone = 0; s503 = 0; s5xx = 0; other = 0 end
math.randomseed(os.time() + tonumber(tostring({}):sub(8), 16))
request = function() return wrk.format("GET", paths[math.random(#paths)]) end
response = function(status, headers, body)
  if status < 400 then s2xx = s2xx + 1 elseif status == 503 then s503 = s503 + 1
  elseif status >= 500 then s5xx = s5xx + 1 elseif status == 410 then gone = gone + 1 else other = other + 1 end
end
done = function(summary, latency, requests)
  local t = {s2xx = 0, gone = 0, s503 = 0, s5xx = 0, other = 0}
  for _, thread in ipairs(threads) do
    for k, _ in pairs(t) do t[k] = t[k] + thread:get(k) end
  end
  local e = summary.errors
  io.write(string.format("RELIABILITY requests=%%d seconds=%%.1f p50=%%.2f p90=%%.2f p99=%%.2f max=%%.2f " ..
    "s2xx=%%d gone=%%d s503=%%d s5xx=%%d other=%%d socket_errors=%%d\\n",
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000, t.s2xx, t.gone, t.s503, t.s5xx, t.other,
    e.connect + e.read + e.write + e.timeout))
end
"""


def log(message):
    """Progress on stderr, so stdout stays the summary."""
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def _django(database_url):
    """Set up Django in this process against `database_url` (phases that run in a child process)."""
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("REDIS_URL", REDIS_URL)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def _child(phase, env=None, timeout=900):
    """Run `phase` of this script in a fresh process; returns its JSON result (the last stdout line)."""
    out = subprocess.run(
        [PY, __file__, "--child", phase], cwd=ROOT, env={**os.environ, **(env or {})},
        capture_output=True, text=True, timeout=timeout,
    )  # fmt: skip
    sys.stderr.write(out.stderr[-3000:] if out.returncode else "")
    if out.returncode:
        raise RuntimeError(f"{phase} child failed with status {out.returncode}")
    return json.loads(out.stdout.strip().splitlines()[-1])


# ---------------------------------------------------------------- kill: SIGKILLed imports
def _write_wire(path, count, seed=11):
    """A JSON Lines wire file of `count` distinct stories, with places and actors the gazetteer knows."""
    rng = random.Random(seed)
    words = ["army", "council", "water", "ceasefire", "convoy", "market", "drought", "oil", "bridge", "court"]
    places = ["Baghdad", "Mosul", "Raqqa", "Deir ez-Zor", "Kirkuk", "Aleppo"]
    with open(path, "w", encoding="utf-8") as handle:
        for n in range(count):
            body = "\n\n".join(" ".join(rng.choice(words) for _ in range(60)) for _ in range(4))
            row = {
                "source": "reliability-wire", "source_id": f"r-{seed}-{n}",
                "headline": f"{rng.choice(places)} {' '.join(rng.choice(words) for _ in range(6))} {n}",
                "body": body, "section": "Iraq News > Security", "regions": [rng.choice(places)],
                "actors": ["Islamic State"] if n % 3 == 0 else [], "authors": [f"Wire writer {n % 7}"],
                "published_at": "2026-01-01T09:00:00+03:00",
            }  # fmt: skip
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")


def _sqlite_env(path):
    return {"DATABASE_URL": f"sqlite:///{path}", "REDIS_URL": ""}


def _manage(env, *args, check=True):
    return subprocess.run([PY, "manage.py", *args], cwd=ROOT, env={**os.environ, **env}, capture_output=True,
                          text=True, check=check)  # fmt: skip


def child_snapshot():
    """Everything an import writes, independent of row ids: stories, tags, sections, authors, events."""
    from articles.models import Article, ArticleEvent, Author, Region, Section

    stories = sorted(
        (a.source_id, a.headline, a.import_digest, a.status, a.version, a.section.name if a.section else "",
         sorted(r.name for r in a.regions.all()), sorted(x.name for x in a.actors.all()),
         sorted(x.display_name for x in a.authors.all()))
        for a in Article.objects.prefetch_related("regions", "actors", "authors").select_related("section")
    )  # fmt: skip
    return {
        "stories": stories,
        "sections": sorted(Section.objects.values_list("name", flat=True)),
        "authors": sorted(Author.objects.values_list("display_name", flat=True)),
        "regions": Region.objects.count(),
        "events": sorted(ArticleEvent.objects.values_list("article__source_id", "action")),
    }


def phase_kill():
    """Import killed with SIGKILL at random points, then re-run: equals one clean run."""
    scratch = Path(tempfile.mkdtemp(prefix="reliability-kill-"))
    try:
        wire = scratch / "wire.jsonl"
        _write_wire(wire, IMPORT_STORIES)
        template = scratch / "template.sqlite3"
        _manage(_sqlite_env(template), "migrate", "--noinput")
        _manage(_sqlite_env(template), "load_gazetteer")
        clean, killed = scratch / "clean.sqlite3", scratch / "killed.sqlite3"
        shutil.copy(template, clean)
        shutil.copy(template, killed)
        args = ["import_articles", str(wire), "--status", "published", "--batch-size", "100"]
        started = time.monotonic()
        _manage(_sqlite_env(clean), *args)
        clean_seconds = time.monotonic() - started
        rng, kills = random.Random(int(time.time())), []
        for _ in range(KILLS):
            # Django starts in about a second; later kills land in ever fewer remaining batches, so stay early.
            delay = rng.uniform(1.0, max(1.5, clean_seconds * 0.4))
            process = subprocess.Popen([PY, "manage.py", *args], cwd=ROOT, env={**os.environ, **_sqlite_env(killed)},
                                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
            time.sleep(delay)
            finished_before = process.poll() is not None
            process.send_signal(signal.SIGKILL)
            process.wait()
            kills.append({"after_seconds": round(delay, 2), "had_finished": finished_before})
        _manage(_sqlite_env(killed), *args)
        again = _manage(_sqlite_env(killed), *args).stdout.strip().splitlines()[-1]
        same = _child("snapshot", _sqlite_env(clean)) == _child("snapshot", _sqlite_env(killed))
        return {"stories": IMPORT_STORIES, "clean_run_seconds": round(clean_seconds, 1), "kills": kills,
                "equal_to_clean_run": same, "second_rerun": again, "ok": same}  # fmt: skip
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


# ---------------------------------------------------------------- fuzz: hypothesis against the importers
def child_fuzz():
    """Hostile inputs for FUZZ_SECONDS; returns counts of examples, crashes and reported failures."""
    from hypothesis import HealthCheck, given, seed, settings

    from articles.tests.hostile_inputs import check_one_import, hostile_file

    scratch = Path(tempfile.mkdtemp(prefix="reliability-fuzz-"))
    counts = {"examples": 0, "reported_failures": 0, "imported": 0, "crashes": []}
    deadline = time.monotonic() + FUZZ_SECONDS

    def one(case):
        report = check_one_import(scratch, case, counts["examples"])
        counts["examples"] += 1
        counts["reported_failures"] += report.failed
        counts["imported"] += report.imported + report.updated + report.unchanged + report.held

    round_number = 0
    while time.monotonic() < deadline:
        round_number += 1
        test = seed(round_number)(
            settings(max_examples=100, deadline=None, database=None, suppress_health_check=list(HealthCheck))(
                given(case=hostile_file)(one)
            )
        )
        try:
            test()
        except Exception as error:  # a crash or an unreported input: recorded with hypothesis's minimal example
            counts["crashes"].append(f"{type(error).__name__}: {str(error)[:500]}")
    shutil.rmtree(scratch, ignore_errors=True)
    counts["seconds"] = FUZZ_SECONDS
    counts["ok"] = not counts["crashes"]
    return counts


def phase_fuzz():
    scratch = Path(tempfile.mkdtemp(prefix="reliability-fuzzdb-"))
    try:
        database = scratch / "fuzz.sqlite3"
        _manage(_sqlite_env(database), "migrate", "--noinput")
        _manage(_sqlite_env(database), "load_gazetteer")
        return _child("fuzz", _sqlite_env(database), timeout=FUZZ_SECONDS * 3 + 120)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


# ---------------------------------------------------------------- servers, load and the publisher
def Server(workers=5, cache_seconds=600):  # noqa: N802 (used as a context manager, like a class)
    """gunicorn with production settings on loopback, sharing PostgreSQL and Redis."""
    env = {**os.environ, **SERVER_ENV, "DATABASE_URL": DATABASE_URL,
           "NEWSROOM_PAGE_CACHE_SECONDS": str(cache_seconds), "CONN_MAX_AGE": "60"}  # fmt: skip
    return Gunicorn(env, workers, log=tempfile.mkstemp(prefix="reliability-server-", suffix=".log")[1])


def server_warnings(log):
    """What the servers logged at WARNING or above, counted by kind (level and message up to its first colon
    or path): a degraded dependency (the cache timing out, the database away) shows here even when every
    response was a 200. Deletes the log."""
    kinds = {}
    with open(log, encoding="utf-8", errors="replace") as lines:
        for line in lines:
            try:
                record = json.loads(line)
                kind = f"{record['level']} {re.split(r'[:/]', record['message'], maxsplit=1)[0].strip()}"
            except (ValueError, KeyError, TypeError):
                kind = "unstructured " + line.strip()[:60]
            kinds[kind] = kinds.get(kind, 0) + 1
    if os.environ.get("RELIABILITY_KEEP_LOG"):
        print(f"server log kept: {log}", file=sys.stderr)
    else:
        os.unlink(log)
    return kinds


def wrk(server, paths, seconds, connections=CONNECTIONS):
    """wrk against `paths` at random; returns its figures (requests, latency ms, counts by status class)."""
    script = Path(tempfile.mkstemp(suffix=".lua")[1])
    script.write_text(LUA % ", ".join(json.dumps(p) for p in paths))
    try:
        out = subprocess.run(
            ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--timeout", "5s", "-s", str(script),
             server.url("/")], capture_output=True, text=True, check=True,
        ).stdout  # fmt: skip
    finally:
        script.unlink()
    found = dict(re.findall(r"(\w+)=([\d.]+)", out.split("RELIABILITY", 1)[1]))
    return {k: float(v) if "." in v else int(v) for k, v in found.items()}


def _prepare_load_database():
    """Migrate, roles, the archive, and the publisher's user; in a child so this process keeps no connection."""
    ensure_database(DATABASE_URL)
    return _child("prepare", {**SERVER_ENV, "DATABASE_URL": DATABASE_URL}, timeout=3600)


def child_prepare():
    from django.core.management import call_command
    from django.db import connection

    from articles.roles import PUBLISHER, ensure_roles
    from bench import site_corpus

    call_command("migrate", verbosity=0)
    # As `make serve` does: production settings serve hashed static names from the manifest.
    call_command("collectstatic", interactive=False, verbosity=0)
    groups = ensure_roles()
    site_corpus.generate(ARTICLES, log=lambda line: log(line))
    from django.contrib.auth import get_user_model

    for name in ("reliability-publisher", "reliability-publisher-2"):
        user, _ = get_user_model().objects.get_or_create(username=name, defaults={"is_staff": True})
        user.set_password("reliability-pass-1")
        user.save()
        user.groups.add(groups[PUBLISHER])
    paths = site_corpus.sample_paths(3000)
    connection.close()
    return {"paths": paths + ["/", "/ar/", "/feeds/latest/rss/", "/sitemap.xml", "/region/syria/"]}


def child_publisher():
    """Publish and correct stories through workflow actions for PUBLISH_SECONDS; poll each one's page.

    Stories are made as approved drafts first (set-up), then published one by one; after each publish the
    story's page is polled through SERVER_URL until it shows the headline. Moves that fail (database down)
    are retried; the result lists successful moves so the caller can check none was lost.
    """
    from django.contrib.auth import get_user_model
    from django.db import OperationalError, close_old_connections, connection

    from articles import workflow
    from articles.models import Article, ArticleEvent, Section

    server, seconds = os.environ["SERVER_URL"], float(os.environ["PUBLISH_SECONDS"])
    run = os.environ.get("RUN_TAG", str(int(time.time())))
    publisher = get_user_model().objects.get(username="reliability-publisher")
    section = Section.objects.order_by("pk").first()
    result = {"published": 0, "corrected": 0, "visible_after": [], "not_visible": [], "move_errors": 0,
              "moves": [], "first_response_fresh": 0, "first_response_stale": 0}  # fmt: skip
    deadline, n = time.monotonic() + seconds, 0
    while time.monotonic() < deadline:
        n += 1
        try:
            article = Article.objects.create(
                headline=f"Reliability story {run} number {n}", slug=f"reliability-{run}-{n}",
                standfirst="A story published under load.", body="<p>Published while the site is under load.</p>",
                section=section, status=Article.Status.APPROVED, created_by=publisher,
            )  # fmt: skip
            workflow.publish(article, by=publisher)
            published_at = time.monotonic()
            result["published"] += 1
            result["moves"].append([article.pk, "publish"])
            if n % 3 == 0:
                workflow.correct(article, by=publisher, note=f"Correction {n} under load")
                result["corrected"] += 1
                result["moves"].append([article.pk, "correct"])
        except (OperationalError, workflow.WorkflowError) as error:
            result["move_errors"] += 1
            log(f"publisher: move failed ({type(error).__name__}); retrying")
            close_old_connections()
            connection.close()
            time.sleep(0.5)
            continue
        url = server + article.get_absolute_url()
        visible, first = None, True
        while time.monotonic() - published_at < 15:
            try:
                with urllib.request.urlopen(url, timeout=10) as response:
                    shown = article.headline in response.read().decode()
            except (urllib.error.URLError, OSError):
                shown = False
            if first:
                # The first request sent after the commit must already see the story: a stale cache would not.
                result["first_response_fresh" if shown else "first_response_stale"] += 1
                first = False
            if shown:
                visible = time.monotonic() - published_at
                break
            time.sleep(0.02)
        if visible is None:
            result["not_visible"].append(article.pk)
        else:
            result["visible_after"].append(round(visible, 3))
        time.sleep(0.2)
    # Every move the publisher saw succeed has its audit event.
    recorded = set(ArticleEvent.objects.filter(article__slug__startswith=f"reliability-{run}-")
                   .values_list("article_id", "action"))  # fmt: skip
    result["lost_events"] = [m for m in result["moves"] if tuple(m) not in recorded]
    del result["moves"]
    return result


def _importer(count, seed):
    """Start an import of `count` new stories into the load database (a subprocess); returns (process, key)."""
    wire = Path(tempfile.mkstemp(suffix=".jsonl")[1])
    _write_wire(wire, count, seed=seed)
    env = {**os.environ, **SERVER_ENV, "DATABASE_URL": DATABASE_URL}
    process = subprocess.Popen([PY, "manage.py", "import_articles", str(wire), "--status", "published",
                                "--batch-size", "100"], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)  # fmt: skip
    return process, wire


def _imported_count(seed):
    return _child("count", {"DATABASE_URL": DATABASE_URL, "COUNT_PREFIX": f"r-{seed}-"})["count"]


def child_count():
    from articles.models import Article

    return {"count": Article.objects.filter(source_id__startswith=os.environ["COUNT_PREFIX"]).count()}


def _publisher(server, seconds, tag):
    env = {"DATABASE_URL": DATABASE_URL, **SERVER_ENV, "SERVER_URL": server.url(""), "PUBLISH_SECONDS": str(seconds),
           "RUN_TAG": tag}  # fmt: skip
    result = {}
    thread = threading.Thread(target=lambda: result.update(_child("publisher", env, timeout=seconds + 300)))
    thread.start()
    return thread, result


def phase_load(paths):
    """64 connections for LOAD_SECONDS while a publisher works and an import runs."""
    with Server() as server:
        # A live site's cache is warm: every page of the load is read once first (not measured), so the
        # run shows what publishing under load does to a warm cache, not a cold start.
        with concurrent.futures.ThreadPoolExecutor(4) as pool:
            list(pool.map(lambda path: urllib.request.urlopen(server.url(path), timeout=60).read(), paths))
        seed = int(time.time()) % 100000
        importer, wire = _importer(1000, seed)
        thread, published = _publisher(server, LOAD_SECONDS - 5, f"load{seed}")
        figures = wrk(server, paths, LOAD_SECONDS)
        thread.join()
        out, err = importer.communicate(timeout=600)
        wire.unlink()
    figures["server_warnings"] = server_warnings(server.log)
    imported = _imported_count(seed)
    visible = sorted(published.get("visible_after", []))
    figures.update(
        publisher=published, import_summary=out.strip().splitlines()[-1] if out.strip() else err[-300:],
        imported=imported, visible_max_s=visible[-1] if visible else None,
        visible_p50_s=visible[len(visible) // 2] if visible else None,
        visible_within_1s=sum(1 for v in visible if v <= 1.0),
        first_response_stale=published.get("first_response_stale"),
        ok=figures["s5xx"] == 0 and figures["s503"] == 0 and imported == 1000 and not published.get("not_visible")
        and bool(visible) and visible[-1] <= 1.0 and not published.get("lost_events"),
    )  # fmt: skip
    return figures


def _database_outage(seconds):
    """Our database goes away: its connections are killed and new ones refused, for `seconds`."""
    name = DATABASE_URL.rsplit("/", 1)[1]
    admin = ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", "postgres", "-qAt", "-c"]
    subprocess.run([*admin, f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false'], check=True)
    subprocess.run([*admin, f"SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = '{name}'"],
                   check=True, capture_output=True)  # fmt: skip
    time.sleep(seconds)
    subprocess.run([*admin, f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true'], check=True)


def phase_outage(paths):
    """The database goes away mid-load: 503 page during, recovery after, nothing lost."""
    seconds = 30
    probes = []
    with Server(cache_seconds=0) as server:
        seed = int(time.time()) % 100000 + 1
        importer, wire = _importer(600, seed)
        thread, published = _publisher(server, seconds - 5, f"outage{seed}")
        load = {}
        loader = threading.Thread(target=lambda: load.update(wrk(server, paths, seconds, connections=16)))
        loader.start()
        time.sleep(8)
        outage = threading.Thread(target=_database_outage, args=(OUTAGE_SECONDS,))
        outage_started = time.monotonic()
        outage.start()
        while outage.is_alive() or time.monotonic() - outage_started < OUTAGE_SECONDS + 10:
            try:
                with urllib.request.urlopen(server.url(random.choice(paths)), timeout=5) as response:
                    probes.append((round(time.monotonic() - outage_started, 2), response.status, ""))
            except urllib.error.HTTPError as error:
                body = error.read().decode(errors="replace")
                probes.append(
                    (
                        round(time.monotonic() - outage_started, 2),
                        error.code,
                        "traceback" if "Traceback" in body else ("page" if "<html" in body else "bare"),
                    )
                )
            except OSError:
                probes.append((round(time.monotonic() - outage_started, 2), 0, "network"))
            time.sleep(0.1)
        loader.join()
        thread.join()
        out, err = importer.communicate(timeout=600)
        first_import = out.strip().splitlines()[-1] if out.strip() else err.strip().splitlines()[-1][:300]
        recovered = urllib.request.urlopen(server.url("/"), timeout=10).status
        # An import the outage interrupted is simply run again (idempotent) and completes.
        rerun, _ = _importer(600, seed)
        rerun_out, _ = rerun.communicate(timeout=600)
        wire.unlink()
    warnings = server_warnings(server.log)
    imported = _imported_count(seed)
    during = [p for p in probes if p[1] != 200]
    statuses = sorted({p[1] for p in probes})
    return {
        "load": load, "probe_statuses": statuses, "probes": len(probes), "probes_not_200": len(during),
        "tracebacks": sum(1 for p in probes if p[2] == "traceback"),
        "outage_responses_503_page": sum(1 for p in probes if p[1] == 503 and p[2] == "page"),
        "recovered_status": recovered,
        "recovered_after_s": next((p[0] for p in probes if p[0] > OUTAGE_SECONDS and p[1] == 200), None),
        "import_during_outage": first_import, "import_rerun": rerun_out.strip().splitlines()[-1],
        "imported": imported, "publisher": published, "server_warnings": warnings,
        "ok": recovered == 200 and imported == 600 and not published.get("lost_events")
        and all(p[1] in (200, 503) for p in probes) and load.get("s5xx", 1) == 0,
    }  # fmt: skip


# ---------------------------------------------------------------- twoservers: shared PostgreSQL and Redis
def child_stories():
    """A fresh draft for the editors and a published story for the correction (set-up through the ORM)."""
    from articles.models import Article, Section
    from articles.tests.desk_forms import form_data

    tag = str(time.time_ns())
    draft = Article.objects.create(headline=f"Two servers draft {tag}", slug=f"two-servers-{tag}",
                                   standfirst="Edited by two editors.", body="<p>Text.</p>",
                                   section=Section.objects.order_by("pk").first())  # fmt: skip
    live = Article.objects.published().order_by("-pk").first()
    return {"draft": draft.pk, "form": form_data(draft), "live": live.pk, "live_url": live.get_absolute_url()}


class Session:
    """A browser-like session on one server: cookies, CSRF token, the admin's login form."""

    def __init__(self, server):
        import http.cookiejar

        self.server, self.jar = server, http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect())

    def request(self, path, data=None):
        """(status, body) of GET, or of POST `data` with the CSRF token."""
        body = None
        if data is not None:
            token = next((c.value for c in self.jar if c.name == "csrftoken"), "")
            body = urllib.parse.urlencode({**data, "csrfmiddlewaretoken": token}, doseq=True).encode()
        try:
            with self.opener.open(urllib.request.Request(self.server.url(path), data=body), timeout=30) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode(errors="replace")
        finally:
            # Production cookies are Secure; this loopback client plays the TLS proxy's part and sends them anyway.
            for cookie in self.jar:
                cookie.secure = False

    def log_in(self, username):
        self.request("/admin/login/")
        status, _ = self.request("/admin/login/?next=/admin/", {"username": username,
                                 "password": "reliability-pass-1", "next": "/admin/"})  # fmt: skip
        if status != 302:
            raise RuntimeError(f"could not sign in as {username} (status {status})")
        return self


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def phase_twoservers(paths):
    """A correction through A shows through B at once; two editors on A and B: one wins, one is refused."""
    stories = _child("stories", {"DATABASE_URL": DATABASE_URL})
    with Server(workers=2) as a, Server(workers=2) as b:
        url = stories["live_url"]
        b_session = Session(b)
        b_session.request(url)
        b_session.request(url)  # now in the shared page cache
        note = f"Corrected through server A at {time.time_ns()}"
        editor_a = Session(a).log_in("reliability-publisher")
        moved, _ = editor_a.request(f"/admin/articles/article/{stories['live']}/move/correct/", {"note": note})
        started = time.monotonic()
        status, page = b_session.request(url)
        seen_at_once = status == 200 and note in page
        seen_after = time.monotonic() - started
        editor_b = Session(b).log_in("reliability-publisher-2")
        change = f"/admin/articles/article/{stories['draft']}/change/"
        for session in (editor_a, editor_b):
            session.request(change)  # both open version 1
        start, results = threading.Barrier(2), {}

        def save(name, session):
            start.wait()
            results[name] = session.request(change, {**stories["form"], "headline": f"Headline by {name}"})

        threads = [threading.Thread(target=save, args=item) for item in (("A", editor_a), ("B", editor_b))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
    warnings = {"A": server_warnings(a.log), "B": server_warnings(b.log)}
    winners = [n for n, (status, _) in results.items() if status == 302]
    losers = [n for n, (status, _) in results.items() if status == 200 and "Not saved" in results[n][1]]
    saved = _child("headline", {"DATABASE_URL": DATABASE_URL, "ARTICLE": str(stories["draft"])})
    kept = bool(losers) and f'value="Headline by {losers[0]}"' in results[losers[0]][1]
    ok = (moved == 302 and seen_at_once and len(winners) == 1 and len(losers) == 1 and kept
          and saved["headline"] == f"Headline by {winners[0]}" and saved["version"] == 2)  # fmt: skip
    return {"correction_status": moved, "seen_through_other_server_at_once": seen_at_once,
            "seen_after_s": round(seen_after, 3), "winner": winners, "refused": losers,
            "loser_text_kept": kept, "saved": saved, "server_warnings": warnings, "ok": ok}  # fmt: skip


def child_headline():
    from articles.models import Article

    article = Article.objects.get(pk=int(os.environ["ARTICLE"]))
    return {"headline": article.headline, "version": article.version}


PHASES = {
    "twoservers": phase_twoservers,
    "kill": phase_kill,
    "fuzz": phase_fuzz,
    "outage": phase_outage,
    "load": phase_load,
}
CHILDREN = {"snapshot": child_snapshot, "fuzz": child_fuzz, "prepare": child_prepare, "publisher": child_publisher,
            "count": child_count, "stories": child_stories, "headline": child_headline}  # fmt: skip


def summary_lines(results):
    """The human summary of every phase run."""
    lines = []
    for name, result in results.items():
        status = "OK" if result.get("ok") else "FAILED"
        brief = {k: v for k, v in result.items() if not isinstance(v, dict | list) or k in ("kills",)}
        lines.append(f"{name:<10} {status:<7} {json.dumps(brief, ensure_ascii=False)[:600]}")
    return lines


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--phases", default="kill,fuzz,outage,load,twoservers")
    parser.add_argument("--child")
    args = parser.parse_args()
    if args.child:
        _django(os.environ["DATABASE_URL"])
        print(json.dumps(CHILDREN[args.child](), default=str))
        return
    if not shutil.which("wrk"):
        raise SystemExit("wrk is missing: apt-get install -y wrk")
    results, started = {}, time.monotonic()
    paths = None
    for name in args.phases.split(","):
        log(f"phase {name}")
        try:
            if name in ("outage", "load", "twoservers") and paths is None:
                paths = _prepare_load_database()["paths"]
            results[name] = PHASES[name](paths) if name in ("outage", "load", "twoservers") else PHASES[name]()
        except Exception as error:  # one broken phase must not hide the others' figures
            results[name] = {"ok": False, "error": f"{type(error).__name__}: {error}"}
        log(f"phase {name}: {'ok' if results[name].get('ok') else 'FAILED'}")
    results["total_seconds"] = {"ok": True, "seconds": round(time.monotonic() - started)}
    (ROOT / "bench" / "reliability.json").write_text(json.dumps(results, indent=2, default=str) + "\n")
    print("\n".join(summary_lines(results)))
    sys.exit(0 if all(r.get("ok") for r in results.values()) else 1)


if __name__ == "__main__":
    main()
