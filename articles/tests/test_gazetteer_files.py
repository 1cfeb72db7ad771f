"""A newsroom's own gazetteer files (CSV or YAML): loaded twice without duplicates, aliases respected."""

import io
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from articles import gazetteer
from articles.models import Actor, ActorAlias, Region, RegionAlias

YAML = Path(__file__).parent / "data" / "gazetteer-extra.yaml"

pytestmark = pytest.mark.django_db


def counts():
    return (Region.objects.count(), RegionAlias.objects.count(), Actor.objects.count(), ActorAlias.objects.count())


def test_a_yaml_file_loads_regions_then_actors(places, actors):
    report = gazetteer.load_file(YAML)
    assert report.problems == []
    hit = Region.objects.get(name="Hit")
    assert (hit.parent.name, hit.parent.parent, str(hit.latitude)) == ("Anbar Governorate", places["iraq"], "33.640000")
    pmf = Actor.objects.by_name("Hashd al-Shaabi")
    assert pmf.name == "Popular Mobilisation Forces" and pmf.home_region == places["iraq"]


def test_loading_twice_changes_nothing_and_known_entries_are_not_duplicated(places, actors):
    gazetteer.load_file(YAML)
    before = counts()
    report = gazetteer.load_file(YAML)
    assert counts() == before
    assert report.created == 0 and report.aliases == 0
    # "Iraq" in the file (slug test-iraq) is the existing Iraq, found by its ISO code and names.
    assert Region.objects.filter(iso_code="IQ").count() == 1
    assert Region.objects.by_name("Irak") == places["iraq"]


def test_an_entry_known_under_an_alias_is_not_created_again(places, actors, tmp_path):
    extra = tmp_path / "more.yaml"
    extra.write_text(
        "regions:\n  - name: Deir al-Zour\n    kind: city\n    aliases: [Dayr az Zawr]\n", encoding="utf-8"
    )
    before = Region.objects.count()
    gazetteer.load_file(extra)
    assert Region.objects.count() == before
    assert Region.objects.by_name("Dayr az Zawr") == places["deir"]


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("regions: [unclosed\n", "not valid YAML"),
        ("- just\n- a list\n", "expected a mapping"),
        ("regions:\n  - kind: city\n", "no name"),
        ("regions: {name: Mosul}\n", "expected a list"),
    ],
)
def test_a_bad_yaml_file_is_reported_and_the_command_exits_1(db, tmp_path, text, problem):
    bad = tmp_path / "bad.yaml"
    bad.write_text(text, encoding="utf-8")
    err = io.StringIO()
    with pytest.raises(CommandError) as error:
        call_command("load_gazetteer", "--no-builtin", str(bad), stdout=io.StringIO(), stderr=err)
    assert error.value.returncode == 1
    assert problem in err.getvalue()
