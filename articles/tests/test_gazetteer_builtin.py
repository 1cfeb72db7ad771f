"""The built-in gazetteer and newsroom CSV files: complete, reachable by every spelling, loaded idempotently."""

import json
import re

import pytest
from django.core.management import CommandError, call_command

from articles import gazetteer
from articles.demo import DATA_FILE
from articles.models import Actor, Region
from articles.normalisation import is_arabic

pytestmark = pytest.mark.django_db


@pytest.fixture
def loaded():
    return gazetteer.load_builtin()


def test_every_country_is_there_with_the_beat_below_it(loaded):
    assert loaded.problems == []
    assert Region.objects.filter(kind="country").count() >= 249
    iraq = Region.objects.get(iso_code="IQ")
    assert iraq.name == "Iraq" and iraq.name_ar
    governorates = Region.objects.descendants_of(iraq).filter(kind="governorate", iso_code__startswith="IQ-")
    assert governorates.count() >= 17
    assert Region.objects.filter(parent__iso_code="SY", kind="governorate").count() == 14


def test_places_that_fold_alike_in_arabic_stay_apart(loaded):
    # عمّان (Amman) and عُمان (Oman) are one string once the vowels go: neither may swallow the other.
    assert Region.objects.get(iso_code="OM").kind == "country"
    assert Region.objects.get(slug="amman").kind == "city"


def test_loading_twice_changes_nothing(loaded):
    again = gazetteer.load_builtin()
    assert (again.created, again.updated, again.aliases) == (0, 0, 0)


def test_a_newsroom_file_adds_places_without_duplicating_known_ones(loaded, tmp_path):
    path = tmp_path / "our-places.csv"
    path.write_text(
        "slug,name,name_ar,kind,parent,iso_code,latitude,longitude,aliases\n"
        "susa,Susa,الصوصة,city,deir-ez-zor-governorate,,34.47,40.98,As Susah|Al-Susa\n"
        ",Deir Ezzor,,city,,,,,Deir-ez-Zour\n"
        ",Nowhere,,village,,,,,\n"
        ",Lost Town,,city,atlantis,,,,\n",
        encoding="utf-8",
    )
    before = Region.objects.count()
    report = gazetteer.load_file(path)
    assert (report.created, report.updated) == (1, 0)
    assert Region.objects.count() == before + 1
    assert Region.objects.by_name("As Susah").parent.slug == "deir-ez-zor-governorate"
    assert Region.objects.by_name("Deir-ez-Zour") == Region.objects.get(slug="deir-ez-zor")
    assert report.problems == [
        "our-places.csv row 3: unknown kind 'village'",
        "our-places.csv row 4: unknown parent 'atlantis'",
    ]


def test_command_reports_bad_rows_and_exits_1(loaded, tmp_path, capsys):
    path = tmp_path / "actors.csv"
    path.write_text(
        "slug,name,name_ar,kind,description,home_region,aliases\n"
        ",Sons of the Valley,,tribe,,,\n,Valley Guard,,armed_group,,syria,VG\n",
        encoding="utf-8",
    )
    with pytest.raises(CommandError) as error:
        call_command("load_gazetteer", str(path), "--no-builtin")
    assert error.value.returncode == 1
    assert "actors.csv row 1: unknown kind 'tribe'" in capsys.readouterr().err
    assert Actor.objects.by_name("VG").home_region.iso_code == "SY"


def test_every_described_actor_is_described_in_arabic_too(loaded):
    # Arabic pages print the Arabic description; one missing would show the English text there.
    described = Actor.objects.exclude(description="")
    assert described.count() >= 240
    assert list(described.filter(description_ar="").values_list("slug", flat=True)) == []
    for slug, text in described.values_list("slug", "description_ar"):
        assert is_arabic(text, threshold=0.8), slug  # the columns are not swapped
        assert not re.search("[0-9]", text), slug  # Arabic-Indic digits, as the Arabic edition prints them


def test_the_actors_the_demo_stories_name_have_arabic_descriptions(loaded):
    stories = [json.loads(line) for line in DATA_FILE.read_text(encoding="utf-8").splitlines() if line.strip()]
    slugs = {slug for story in stories for slug in story.get("actors", [])}
    found = dict(Actor.objects.filter(slug__in=slugs).values_list("slug", "description_ar"))
    assert set(found) == slugs
    assert found["islamic-state"].startswith("تنظيم جهادي أعلن")
    assert found["syrian-democratic-forces"].startswith("تحالف ميليشيات بقيادة كردية")
    assert all(found.values())


def test_a_site_loaded_before_there_were_arabic_descriptions_gets_them_on_the_next_load(loaded):
    Actor.objects.update(description_ar="")
    Actor.objects.filter(slug="hezbollah").update(description_ar="وصف كتبه المحرر.")
    report = gazetteer.load_builtin()
    assert report.problems == [] and report.created == 0
    assert report.updated == Actor.objects.exclude(description="").count() - 1
    assert Actor.objects.get(slug="hezbollah").description_ar == "وصف كتبه المحرر."
    assert not Actor.objects.exclude(description="").filter(description_ar="").exists()
