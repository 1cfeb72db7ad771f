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
