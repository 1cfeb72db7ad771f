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


# -- descriptions in both languages ----------------------------------------------------------------------

PMF_EN = "Umbrella of mostly Shiite armed factions formed in 2014."
PMF_AR = "مظلة لفصائل مسلحة معظمها شيعية تشكّلت عام ٢٠١٤."
HIT_EN = "Town on the Euphrates in Anbar."
HIT_AR = "مدينة على الفرات في محافظة الأنبار."


def _write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_csv_files_read_descriptions_in_both_languages(places, tmp_path):
    regions = _write(
        tmp_path,
        "regions.csv",
        "slug,name,name_ar,kind,parent,iso_code,latitude,longitude,aliases,description,description_ar\n"
        f'hit,Hit,هيت,city,iraq,,,,Heet,{HIT_EN},"{HIT_AR}"\n',
    )
    actors = _write(
        tmp_path,
        "actors.csv",
        "slug,name,name_ar,kind,description,description_ar,home_region,aliases\n"
        f'pmf,Popular Mobilisation Forces,الحشد الشعبي,armed_group,{PMF_EN},"{PMF_AR}",iraq,PMF\n',
    )
    assert gazetteer.load_file(regions).problems == gazetteer.load_file(actors).problems == []
    hit, pmf = Region.objects.get(slug="hit"), Actor.objects.get(slug="pmf")
    assert (hit.description, hit.description_ar) == (HIT_EN, HIT_AR)
    assert (pmf.description, pmf.description_ar) == (PMF_EN, PMF_AR)
    before = counts()
    again = [gazetteer.load_file(regions), gazetteer.load_file(actors)]
    assert [(r.created, r.updated, r.unchanged) for r in again] == [(0, 0, 1), (0, 0, 1)]
    assert counts() == before


def test_a_yaml_file_reads_arabic_descriptions_of_places_and_actors(places, actors, tmp_path):
    extra = _write(
        tmp_path,
        "more.yaml",
        "regions:\n"
        f"  - {{name: Hit, kind: city, parent: iraq, description: {HIT_EN}, description_ar: {HIT_AR}}}\n"
        "actors:\n"
        f"  - {{name: Islamic State, kind: armed_group, description_ar: 'تنظيم جهادي.'}}\n",
    )
    report = gazetteer.load_file(extra)
    assert report.problems == [] and (report.created, report.updated) == (1, 1)
    assert Region.objects.get(name="Hit").description_ar == HIT_AR
    isis = Actor.objects.get(slug="islamic-state")
    assert isis.description_ar == "تنظيم جهادي." and isis.description == ""
    assert gazetteer.load_file(extra).updated == 0


def test_a_file_never_overwrites_an_arabic_description_the_desk_wrote(places, actors, tmp_path):
    isis = actors["isis"]
    isis.description_ar = "ما كتبه المحرر."
    isis.save()
    extra = _write(
        tmp_path,
        "actors.csv",
        "slug,name,name_ar,kind,description,description_ar,home_region,aliases\n"
        ",Islamic State,,armed_group,Jihadist group.,تنظيم جهادي من ملف آخر.,,\n",
    )
    report = gazetteer.load_file(extra)
    assert report.updated == 1  # the English description was empty: that is filled in
    isis.refresh_from_db()
    assert (isis.description, isis.description_ar) == ("Jihadist group.", "ما كتبه المحرر.")


def test_a_row_with_a_name_too_long_or_a_coordinate_out_of_range_is_listed_and_the_other_rows_are_loaded(
    places, tmp_path
):
    regions = _write(
        tmp_path,
        "regions.csv",
        "slug,name,name_ar,kind,parent,iso_code,latitude,longitude,aliases\n"
        "hit,Hit,هيت,city,iraq,,33.64,42.82,Heet\n"
        f"long-alias,Long Alias,,city,iraq,,,,Short|{'A' * 300}\n"
        f",{'N' * 150},,city,iraq,,,,\n"
        f"long-arabic,Long Arabic,{'ع' * 151},city,iraq,,,,\n"
        "far,Far,,city,iraq,,1000,44.2,\n"
        "rawa,Rawa,راوة,city,iraq,,34.47,41.91,\n",
    )
    err = io.StringIO()
    with pytest.raises(CommandError) as error:
        call_command("load_gazetteer", "--no-builtin", str(regions), stdout=io.StringIO(), stderr=err)
    assert error.value.returncode == 1
    assert err.getvalue().splitlines() == [
        f"regions.csv row 2: alias longer than 150 characters: {'A' * 40!r}…",
        f"regions.csv row 3: name longer than 100 characters: {'N' * 40!r}…",
        f"regions.csv row 4: name_ar longer than 150 characters: {'ع' * 40!r}…",
        "regions.csv row 5: latitude '1000' is not between -90 and 90",
    ]
    assert Region.objects.by_name("Heet").name == "Hit" and Region.objects.get(slug="rawa").name_ar == "راوة"
    assert not Region.objects.filter(slug__in=["long-alias", "long-arabic", "far"]).exists()
