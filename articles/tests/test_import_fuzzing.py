"""A short hypothesis run over hostile importer inputs (the long one is in `make reliability`): no input crashes
the pipeline, and every input is either imported or reported with a reason."""

import itertools

import pytest
from hypothesis import HealthCheck, given, settings

from articles.tests.hostile_inputs import check_one_import, hostile_file

pytestmark = pytest.mark.django_db
_numbers = itertools.count()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(case=hostile_file)
def test_no_hostile_input_crashes_the_import_and_each_is_reported(tmp_path, case):
    check_one_import(tmp_path, case, next(_numbers))


@pytest.mark.parametrize(
    ("name", "content"),
    [("header-only.csv", "headline,body\n"), ("empty-list.json", "[]"), ("blank-lines.jsonl", "\n\n")],
)
def test_an_input_with_no_story_is_reported_not_passed_over_in_silence(tmp_path, name, content):
    from articles.importers.pipeline import run_import

    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    report = run_import([str(path)])
    assert report.imported == 0
    assert report.failures == [f"{path}: no stories found in this input"]
