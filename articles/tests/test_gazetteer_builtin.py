"""The built-in gazetteer and newsroom CSV files: complete, reachable by every spelling, loaded idempotently."""

import html
import io
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


# -- descriptions of the built-in places ------------------------------------------------------------------


def _builtin_rows():
    return {row["slug"]: row for row in gazetteer.read_csv(gazetteer.DATA_DIR / "regions.csv")}


def _main_places(rows):
    """The slugs of the built-in file's countries and of every governorate under Iraq or Syria (at any depth)."""

    def country_of(row):
        while row["parent"]:
            row = rows[row["parent"]]
        return row["slug"]

    countries = {slug for slug, row in rows.items() if row["kind"] == "country"}
    governorates = {
        slug for slug, row in rows.items() if row["kind"] == "governorate" and country_of(row) in ("iraq", "syria")
    }
    return countries, governorates


def _demo_places():
    stories = [json.loads(line) for line in DATA_FILE.read_text(encoding="utf-8").splitlines() if line.strip()]
    return {slug for story in stories for slug in [*story.get("regions", []), story.get("dateline")] if slug}


def _check_described(slugs):
    rows = Region.objects.filter(slug__in=slugs).values_list("slug", "description", "description_ar")
    texts = {slug: (en, ar) for slug, en, ar in rows}
    assert set(texts) == set(slugs)
    for slug, (en, ar) in texts.items():
        assert en and not is_arabic(en), slug
        assert is_arabic(ar, threshold=0.8), slug  # Arabic letters, the columns not swapped
        assert not re.search("[0-9]", ar), slug  # years in Arabic-Indic digits, as the Arabic edition prints them


def test_every_country_and_iraqi_and_syrian_governorate_is_described_in_both_languages(loaded):
    countries, governorates = _main_places(_builtin_rows())
    assert len(countries) == 10 and len(governorates) >= 14 + 19 + 1  # Syria's 14; Iraq's 19 and the Kurdistan Region
    assert loaded.problems == []
    _check_described(countries | governorates)
    assert Region.objects.get(slug="syria").description_ar.endswith("حتى كانون الأول ٢٠٢٤.")


def test_the_places_the_demo_stories_name_and_the_notable_towns_are_described(loaded):
    notable = {
        "baghouz", "mosul", "raqqa", "deir-ez-zor", "al-hol-camp", "sinjar", "kirkuk", "basra", "fallujah",
        "ramadi", "tikrit", "idlib", "aleppo", "damascus", "baghdad", "erbil",
    }  # fmt: skip
    _check_described(_demo_places() | notable)


def test_places_outside_the_beat_keep_having_no_description_rather_than_a_made_up_one(loaded):
    # Only the curated file describes; pycountry's countries arrive bare.
    assert Region.objects.get(iso_code="FR").description == ""
    assert Region.objects.get(iso_code="FR").description_ar == ""


def test_a_site_loaded_before_the_descriptions_gets_them_and_keeps_what_the_desk_wrote(loaded):
    Region.objects.update(description="", description_ar="")  # as a site loaded before the columns existed
    gazetteer.load_builtin()
    Region.objects.filter(slug="baghouz").update(description="Our own words.", description_ar="كلماتنا نحن.")
    Region.objects.filter(slug="mosul").update(description="")  # the desk cleared it: a load fills it again
    report = gazetteer.load_builtin()
    assert report.problems == [] and report.created == 0 and report.updated == 1
    baghouz = Region.objects.get(slug="baghouz")
    assert (baghouz.description, baghouz.description_ar) == ("Our own words.", "كلماتنا نحن.")
    assert Region.objects.get(slug="mosul").description.startswith("One of Iraq's largest cities")
    assert Region.objects.get(slug="syria").description_ar.startswith("دولة تطل على شرق البحر المتوسط")


def test_an_edit_through_the_orm_survives_the_next_load_of_a_site_that_had_none(db):
    gazetteer.load_builtin()
    Region.objects.update(description="", description_ar="")  # as a site loaded before the columns existed
    syria = Region.objects.get(slug="syria")
    syria.description = "The desk's Syria."
    syria.save()
    report = gazetteer.load_builtin()
    assert report.problems == [] and report.created == 0
    described = Region.objects.exclude(description_ar="")
    assert report.updated == described.count() >= 90
    syria.refresh_from_db()
    assert syria.description == "The desk's Syria." and syria.description_ar.startswith("دولة تطل")
    assert Region.objects.get(slug="iraq").description.startswith("Country in western Asia")


def test_loading_the_described_file_twice_reports_every_place_unchanged(loaded, capsys):
    call_command("load_gazetteer")
    summary = capsys.readouterr().out
    assert re.search(r"created 0, updated 0, unchanged \d+, aliases added 0, problems 0", summary), summary
    assert not re.search(r"unchanged 0\b", summary)


def test_the_syria_page_shows_the_built_in_description_in_each_edition(client, settings):
    settings.NEWSROOM_PAGE_CACHE_SECONDS = 0
    call_command("load_gazetteer", stdout=io.StringIO())
    syria = Region.objects.get(slug="syria")
    for address, text in [("/region/syria/", syria.description), ("/ar/region/syria/", syria.description_ar)]:
        response = client.get(address)
        assert response.status_code == 200, address
        found = re.findall(r'<p class="description"[^>]*>(.*?)</p>', response.content.decode(), re.S)
        assert [html.unescape(p) for p in found] == [text], address
    assert "Assad family" in syria.description and "عائلة الأسد" in syria.description_ar
