"""The optional read replica: its routing cases run in a pytest of their own with DATABASE_REPLICA_URL set."""

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_replica_routing_cases_pass_with_a_replica_configured():
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith(("postgres", "pgsql")):
        # Its own database name, so its test database never collides with this run's.
        url = url.rstrip("/") + "_replica_cases"
    env = {**os.environ, "DATABASE_URL": url, "DATABASE_REPLICA_URL": url or "sqlite:///replica-mirrors-default"}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "--create-db",
            "articles/tests/replica_routing_cases.py",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    # Every case ran: none was skipped for want of the replica.
    assert re.search(r"\b7 passed\b", result.stdout) and "skipped" not in result.stdout, result.stdout
