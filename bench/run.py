"""`make bench`: run every benchmark module side by side, print one table, write bench/results.json.

Each `bench/bench_*.py` module exposes `run(context) -> list[dict]`; a row names what was measured and gives
our figure next to a naive baseline and the physical limit, with the target from the issue:

    {"benchmark": "import 100k stories", "unit": "articles/s", "ours": 1800.0, "baseline": 40.0,
     "limit": 25000.0, "target": ">= 1500", "met": True, "note": "..."}

`context` carries the database URL and a scratch directory. Modules run in name order; one failing module
is reported in the table and the others still run.
"""

import importlib
import json
import os
import sys
import tempfile
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results.json"


def _format(value):
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:,.1f}" if value < 1e6 else f"{value:,.0f}"
    return str(value)


def print_table(rows):
    columns = ["benchmark", "unit", "ours", "baseline", "limit", "target", "met"]
    cells = [[_format(row.get(c)) for c in columns] for row in rows]
    widths = [max(len(c), *(len(r[i]) for r in cells)) if cells else len(c) for i, c in enumerate(columns)]
    print("  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)))
    print("  ".join("-" * w for w in widths))
    for row, cell in zip(rows, cells, strict=True):
        print("  ".join(v.ljust(w) for v, w in zip(cell, widths, strict=True)))
        if row.get("note"):
            print(f"    {row['note']}")


def machine():
    """What the figures were measured on: they move with the interpreter's build and the machine."""
    model = ""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        model = next((line.split(":", 1)[1].strip() for line in cpuinfo.read_text().splitlines()
                      if line.startswith("model name")), "")  # fmt: skip
    return {"python": sys.version.split()[0], "executable": sys.executable, "cpus": os.cpu_count(), "cpu": model}


def main(selected=None):
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "newsroom.settings")
    modules = sorted(p.stem for p in (ROOT / "bench").glob("bench_*.py"))
    if selected:
        modules = [m for m in modules if any(s in m for s in selected)]
    context = {
        "database_url": os.environ.get("DATABASE_URL", ""),
        "scratch": Path(tempfile.mkdtemp(prefix="newsroom-bench-")),
        "scale": int(os.environ.get("BENCH_ARTICLES", "100000")),
    }
    rows = []
    for name in modules:
        started = time.monotonic()
        try:
            rows += importlib.import_module(f"bench.{name}").run(context)
        except Exception as error:  # one broken benchmark must not hide the others' figures
            traceback.print_exc()
            rows.append({"benchmark": name, "note": f"failed: {error}", "met": False})
        print(f"[{name} took {time.monotonic() - started:.0f}s]", file=sys.stderr)
    print_table(rows)
    on = machine()
    print(f"\non Python {on['python']} ({on['executable']}), {on['cpus']} CPUs {on['cpu']}".rstrip())
    RESULTS.write_text(
        json.dumps(
            {"generated": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "machine": on, "rows": rows},
            indent=2,
            ensure_ascii=False,
        )
    )
    print(f"\nwritten {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main(sys.argv[1:])
