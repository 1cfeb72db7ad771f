"""Parts the benchmarks share: a loopback port, a database that exists, gunicorn serving the project."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def ensure_database(url, recreate=False):
    """Create the PostgreSQL database `url` names if it is missing (drop it first when `recreate`)."""
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), autocommit=True) as admin:
        if recreate:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        elif admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            return
        admin.execute(f'CREATE DATABASE "{name}"')


class Gunicorn:
    """gunicorn serving newsroom.wsgi on a free loopback port with `env`; a context manager."""

    def __init__(self, env, workers, timeout=30, log=None):
        self.port = free_port()
        self.env = env
        self.workers = workers
        self.timeout = timeout
        self.log = log  # a path: the server's log (warnings and errors) goes there instead of the terminal

    def __enter__(self):
        gunicorn = Path(sys.executable).with_name("gunicorn")
        stderr = open(self.log, "a") if self.log else None  # noqa: SIM115 (the server process holds it)
        self.process = subprocess.Popen(
            [str(gunicorn), "newsroom.wsgi", "--bind", f"127.0.0.1:{self.port}", "--workers", str(self.workers),
             "--log-level", "warning", "--access-logfile", "/dev/null", "--timeout", str(self.timeout)],
            cwd=ROOT, env=self.env, start_new_session=True, stderr=stderr,
        )  # fmt: skip
        if stderr:
            stderr.close()
        for _ in range(150):
            try:
                urllib.request.urlopen(self.url("/healthz"), timeout=1).read()
                return self
            except OSError:
                time.sleep(0.2)
        self.__exit__()
        raise RuntimeError("gunicorn did not start")

    def __exit__(self, *exc):
        os.killpg(self.process.pid, signal.SIGTERM)
        self.process.wait(timeout=30)

    def url(self, path):
        return f"http://127.0.0.1:{self.port}{path}"

    def warm(self, paths):
        """Request each path once per worker, so every worker has compiled templates and a connection."""
        for path in paths:
            for _ in range(self.workers):
                urllib.request.urlopen(self.url(path), timeout=30).read()


def use_database(url):
    """Point this process's Django at `url`: set up Django if needed, else switch the open connection.

    bench/run.py runs every benchmark in one process, so an earlier one may have set Django up on its own
    database; each benchmark calls this before touching the ORM.
    """
    os.environ["DATABASE_URL"] = url
    import django

    django.setup()
    from django.db import connection

    connection.close()
    connection.settings_dict["NAME"] = urlsplit(url).path.lstrip("/")
