"""Fail CI when the PostgreSQL run executed no test, or skipped a test that needs PostgreSQL."""

import sys
import xml.etree.ElementTree as ET

root = ET.parse(sys.argv[1]).getroot()
cases = root.iter("testcase")
ran = skipped_pg = 0
vendor_checked = False
for case in cases:
    skipped = case.find("skipped")
    if skipped is None:
        ran += 1
        vendor_checked |= case.get("name", "").startswith("test_suite_runs_on_the_configured_database")
    elif "PostgreSQL" in (skipped.get("message") or ""):
        skipped_pg += 1
problems = []
if ran == 0:
    problems.append("no test ran")
if skipped_pg:
    problems.append(f"{skipped_pg} PostgreSQL tests were skipped")
if not vendor_checked:
    problems.append("the database vendor check did not run")
if problems:
    sys.exit("PostgreSQL run does not count: " + "; ".join(problems))
print(f"PostgreSQL run: {ran} tests ran, none needing PostgreSQL skipped.")
