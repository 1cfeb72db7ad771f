"""Automatic tagging: the matching rules, the gold-set precision and recall, the cache, retagging, the desk."""

import io
import json
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from articles import editing, gazetteer, revisions, tagging, workflow
from articles.models import Actor, Article, Region, RejectedSuggestion
from articles.taxonomy import add_aliases
from articles.tests.factories import ActorFactory, ArticleFactory, RegionFactory, UserFactory

GOLD = Path(__file__).parent / "data" / "tagging_gold.jsonl"

pytestmark = pytest.mark.django_db


def slugs(text, headline=""):
    found = tagging.get_matcher().find(headline, "", text)
    return sorted(e.slug for e in found.mentions)


@pytest.fixture
def beat(places, actors):
    """The conftest gazetteer plus Jordan, Turkey, Hama, Hamas and Gaza."""
    jordan = RegionFactory(name="Jordan", slug="jordan", name_ar="الأردن", kind="country", iso_code="JO")
    RegionFactory(name="Turkey", slug="turkey", kind="country", iso_code="TR")
    gaza = RegionFactory(name="Gaza", slug="gaza", name_ar="غزة", kind="city")
    hamas = ActorFactory(name="Hamas", slug="hamas", name_ar="حماس", home_region=gaza)
    add_aliases(hamas, ["حركة حماس"])
    return {"jordan": jordan, "gaza": gaza, "hamas": hamas}


def test_the_longest_name_wins(beat):
    assert slugs("The Syrian Democratic Forces advanced.") == ["syrian-democratic-forces"]
    assert slugs("قوات سوريا الديمقراطية تتقدم") == ["syrian-democratic-forces"]


def test_spelling_variants_and_arabic_folding_find_the_same_place(beat):
    for text in ("in Deir Ezzor", "in Deir al-Zour", "in DEIR EZ-ZOR", "في دير الزور", "في ديـر الزّور"):
        assert slugs(text) == ["deir-ez-zor"], text


def test_arabic_attached_prefixes_are_accepted(beat):
    assert slugs("والعراق وبالعراق للعراق وبغداد لبغداد وداعش لداعش") == ["baghdad", "iraq", "islamic-state"]


def test_a_longer_arabic_word_is_never_split(beat):
    assert slugs("قال البغدادي إن الجيش العراقي والبغداديين") == []


def test_whole_words_only(beat):
    assert slugs("Syrian refugees and Iraqi officials; the ISISfighters") == []


def test_capitals_tell_the_country_from_the_bird_and_acronyms_must_be_capitals(beat):
    assert slugs("They ate turkey and isis cake in Turkey.") == ["turkey"]


def test_a_first_name_is_not_a_country(beat):
    assert slugs("Michael Jordan met Jordan Peterson in Baghdad.") == ["baghdad"]
    assert slugs("Refugees crossed into Jordan from Syria.") == ["jordan", "syria"]
    assert slugs("Jordan reopened its border with Syria.") == ["jordan", "syria"]


def test_a_first_name_alone_in_a_story_is_not_enough(beat):
    assert slugs("Refugees crossed into Jordan overnight.") == []


def test_a_place_after_a_persons_title_is_part_of_a_name(beat):
    RegionFactory(name="Mustafa", slug="mustafa")
    assert slugs("SDF spokesman Mustafa Bali said") == ["syrian-democratic-forces"]


def test_a_common_word_needs_a_neighbour_from_its_country(beat):
    assert slugs("وسط حماس جماهيري كبير في بغداد") == ["baghdad"]
    assert slugs("قالت حماس في غزة") == ["gaza", "hamas"]


def test_a_title_case_headline_does_not_hide_places(beat):
    assert slugs("", headline="Hundreds Flee Fighting Near Baghouz In Syria") == ["baghouz", "syria"]


def test_province_of_a_city_is_its_governorate(beat):
    assert slugs("clashes in the eastern province of Deir ez-Zor") == ["deir-ez-zor-governorate"]
    assert slugs("clashes in the city of Deir ez-Zor") == ["deir-ez-zor"]


def test_the_cached_matcher_is_rebuilt_when_the_gazetteer_changes(beat):
    assert slugs("News from Raqqa") == []
    raqqa = RegionFactory(name="Raqqa", slug="raqqa")
    assert slugs("News from Raqqa") == ["raqqa"]
    add_aliases(raqqa, ["Rakka"])  # a bulk insert, no signal: the row count still changes
    assert slugs("News from Rakka") == ["raqqa"]
    raqqa.name = "Ar-Raqqah"
    raqqa.save()
    assert slugs("News from Ar-Raqqah") == ["raqqa"]


def test_gold_set_precision_and_recall():
    """The labelled stories in data/tagging_gold.jsonl against the built-in gazetteer."""
    gazetteer.load_builtin()
    matcher = tagging.get_matcher()
    hits = extra = missed = 0
    for line in GOLD.read_text(encoding="utf-8").splitlines():
        story = json.loads(line)
        found = matcher.find(story["headline"], story.get("standfirst", ""), story["body"])
        got = {(e.kind, e.slug) for e in found.mentions}
        wanted = {("region", s) for s in story["regions"]} | {("actor", s) for s in story["actors"]}
        hits, extra, missed = hits + len(got & wanted), extra + len(got - wanted), missed + len(wanted - got)
    precision, recall = hits / (hits + extra), hits / (hits + missed)
    counts = f"{hits} right, {extra} extra, {missed} missed"
    print(f"\ntagging gold set: precision {precision:.3f}, recall {recall:.3f} ({counts})")
    assert len(GOLD.read_text().splitlines()) >= 48
    assert precision >= 0.98 and recall >= 0.98, (precision, recall)


def test_retag_adds_what_the_gazetteer_now_knows_but_never_a_rejected_tag(beat, tmp_path):
    out = (tmp_path / "out.txt").open("w")
    article = ArticleFactory(headline="Aid reaches Raqqa", body="<p>Trucks reached Raqqa and Baghdad.</p>")
    raqqa = RegionFactory(name="Raqqa", slug="raqqa")
    RejectedSuggestion.objects.create(article=article, region=beat["jordan"])
    RejectedSuggestion.objects.create(article=article, region=raqqa)
    untouched = ArticleFactory(headline="Elsewhere", body="<p>Baghdad.</p>")
    call_command("retag_articles", "--id", str(article.pk), "--dry-run", stdout=out)
    assert not article.regions.exists()
    call_command("retag_articles", "--id", str(article.pk), stdout=out)
    assert sorted(article.regions.values_list("slug", flat=True)) == ["baghdad"]
    assert not untouched.regions.exists()


def test_retag_takes_only_the_stories_its_dates_and_language_choose(beat):
    def story(headline, created, language="en"):
        article = ArticleFactory(headline=headline, body="<p>Trucks reached Baghdad.</p>", language=language)
        Article.objects.filter(pk=article.pk).update(created_at=datetime(*created, 12, tzinfo=UTC))
        return article

    old, march, april = story("Old", (2024, 2, 28)), story("March", (2024, 3, 1)), story("April", (2024, 4, 1))
    arabic = story("بغداد", (2024, 3, 15), language="ar")
    out = io.StringIO()
    call_command("retag_articles", "--since", "2024-03-01", "--until", "2024-04-01", "--language", "en", stdout=out)
    assert "Retagged" in out.getvalue()
    # From the first moment of --since (newsroom time) up to, not including, --until.
    assert [a.regions.exists() for a in (old, march, april, arabic)] == [False, True, False, False]


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--since", "last spring"], "last spring"),
        (["--until", "2024-13-01"], "2024-13-01"),
        (["--since", "0001-01-01"], "not a date: '0001-01-01' (outside the years 1900 to 2999)"),
        (["--batch-size", "0"], "--batch-size must be between 1 and 100,000"),
        (["--batch-size", "99999999999999999999"], "--batch-size must be between 1 and 100,000"),
        (["--id", "99999999999999999999"], "--id must be a story's number (at most 18 digits)"),
        (["--since", "2026-12-01", "--until", "2026-01-01"], "--since must be before --until"),
    ],
)
def test_retag_refuses_a_bad_date_span_id_or_batch_size_and_changes_nothing(beat, arguments, message):
    article = ArticleFactory(headline="Aid", body="<p>Trucks reached Baghdad.</p>")
    with pytest.raises(CommandError, match=re.escape(message)) as refused:
        call_command("retag_articles", *arguments, stdout=io.StringIO())
    assert refused.value.returncode == 2 and not article.regions.exists()


@pytest.mark.parametrize(
    ("body", "queries", "datelines"),
    [
        # The gazetteer stamp; per batch: articles, existing links (2), rejected, savepoint, inserts (2), release;
        # then the empty page that ends the walk.
        ("<p>Baghdad and the SDF.</p>", 10, 0),
        # Stories opening with a dateline: the gazetteer's names too (2, once a run), one insert (Baghdad) and the
        # datelines' one update.
        ("<p>BAGHDAD (AFP) - Talks on water resumed.</p>", 12, 6),
    ],
)
def test_retag_costs_a_fixed_number_of_queries_per_batch(beat, django_assert_num_queries, body, queries, datelines):
    for n in range(6):
        ArticleFactory(headline=f"Story {n}", body=body)
    tagging.get_matcher()
    with django_assert_num_queries(queries):
        report = tagging.retag(Article.objects.all(), batch_size=10)
    assert (report.articles, report.region_links, report.datelines) == (6, 6, datelines)
    assert Article.objects.filter(dateline_place__slug="baghdad").count() == datelines


def test_retag_gives_a_story_without_a_dateline_the_one_its_text_opens_with(beat):
    wire = ArticleFactory(headline="Pocket falls", body="<p>BAGHOUZ, Syria (AFP) - The last pocket fell.</p>")
    arabic = ArticleFactory(headline="اجتماع", body="<p>بغداد - (أ ف ب) - اجتمع الوزراء.</p>", language="ar")
    picked = ArticleFactory(
        headline="Filed elsewhere", body="<p>BAGHOUZ (AFP) - The desk knows better.</p>", dateline_place=beat["jordan"]
    )
    unknown = ArticleFactory(headline="Nowhere", body="<p>ATLANTIS (AFP) - A place nobody knows.</p>")
    dry, done = io.StringIO(), io.StringIO()
    call_command("retag_articles", "--dry-run", stdout=dry)
    assert "datelines added 2" in dry.getvalue()
    assert not Article.objects.filter(pk__in=[wire.pk, arabic.pk], dateline_place__isnull=False).exists()
    call_command("retag_articles", stdout=done)
    assert "datelines added 2" in done.getvalue()
    places = dict(Article.objects.values_list("pk", "dateline_place__slug"))
    assert [places[a.pk] for a in (wire, arabic, picked, unknown)] == ["baghouz", "baghdad", "jordan", None]


def test_a_dateline_given_by_retag_never_replaces_one_the_desk_picked_meanwhile(beat):
    # The desk picks Jordan after retag read the story (which then had none): retag's write leaves it.
    picked = ArticleFactory(headline="Filed", body="<p>BAGHDAD (AFP) - Talks.</p>", dateline_place=beat["jordan"])
    empty = ArticleFactory(headline="Empty", body="<p>BAGHDAD (AFP) - Talks.</p>")
    baghdad = Region.objects.get(slug="baghdad").pk
    assert tagging.give_datelines({picked.pk: baghdad, empty.pk: baghdad}) == 1
    places = dict(Article.objects.values_list("pk", "dateline_place__slug"))
    assert (places[picked.pk], places[empty.pk]) == ("jordan", "baghdad")


@pytest.mark.parametrize(
    ("opening", "place"),
    [
        ("BAGHOUZ, Syria (AFP) - The last pocket fell.", "BAGHOUZ"),
        ("DEIR EZZOR — Families came back.", "DEIR EZZOR"),
        ("AL-QAIM, Iraq (AP) — The crossing opened.", "AL-QAIM"),
        # Dated datelines: AP's place, country and date; Reuters' place and date, a year after a third comma.
        ("MOSUL, Iraq, March 5 (AP) — Iraqi forces advanced.", "MOSUL"),
        ("BAGHDAD, Nov 25 (Reuters) - Iraq's parliament met.", "BAGHDAD"),
        ("DAMASCUS, Syria, Nov. 25, 2026 (AP) — Talks began.", "DAMASCUS"),
        ("بغداد - (أ ف ب) - اجتمع الوزراء.", "بغداد"),
        ("دمشق، 5 آذار (أ ف ب) - بدأت المحادثات.", "دمشق"),
        # AFP's Arabic service puts the country in brackets; Reuters' dates its Arabic copy without a comma.
        ("الباغوز (سوريا) (أ ف ب) - سقط الجيب الأخير.", "الباغوز"),
        ("بغداد 25 نوفمبر تشرين الثاني (رويترز) - انعقد البرلمان.", "بغداد"),
        ("بغداد ٢٥ نوفمبر (رويترز) - انعقد البرلمان.", "بغداد"),
        # After a byline line, as a wire's plain text or a pasted body's paragraphs bring it.
        ("By Jane Doe, Associated Press\n\nMOSUL, Iraq (AP) — Iraqi forces advanced.", "MOSUL"),
        ("\nبقلم رشا خليل\n\nدمشق - (أ ف ب) - بدأت المحادثات.", "دمشق"),
        ("By the way, BAGHDAD (AFP) - is not a dateline here.", ""),
        # Not datelines: a sentence with a dash, a headline in capitals with too many clauses, no dash at all.
        ("Iraq said on Monday - at last - that talks would go on.", ""),
        ("US-backed forces pressed on - slowly.", ""),
        ("THE END, he said, at last, for now, ok - fine.", ""),
        ("BAGHDAD (AFP) Ministers met.", ""),
    ],
)
def test_lead_dateline_reads_the_wires_openings(opening, place):
    assert tagging.lead_dateline(opening) == place


@pytest.fixture
def story(beat, editor):
    article = ArticleFactory(headline="SDF push in Baghouz", body="<p>The SDF entered Baghouz in Syria.</p>")
    article.regions.add(Region.objects.get(slug="syria"))
    return article


def _suggested(client, article):
    page = client.get(reverse("admin:articles_article_change", args=[article.pk])).content.decode()
    section = page.split('id="tag-suggestions"')[1].split("</section>")[0]
    return sorted(s.split('"')[0] for s in section.split('data-slug="')[1:])


def test_editor_accepts_and_rejects_suggestions_with_one_click(client, editor, story):
    client.force_login(editor)
    assert _suggested(client, story) == ["baghouz", "syrian-democratic-forces"]
    url = reverse("article_tag_suggestions", args=[story.pk])
    baghouz = Region.objects.get(slug="baghouz")
    response = client.post(url, {"kind": "region", "entry": baghouz.pk, "decision": "accept", "version": story.version})
    assert response.status_code == 302
    sdf = Actor.objects.get(slug="syrian-democratic-forces")
    client.post(url, {"kind": "actor", "entry": sdf.pk, "decision": "reject"})
    assert sorted(story.regions.values_list("slug", flat=True)) == ["baghouz", "syria"]
    assert not story.actors.exists()
    assert _suggested(client, story) == []
    assert RejectedSuggestion.objects.get(article=story).rejected_by == editor


def test_suggestion_decisions_refuse_get_bad_input_and_users_without_permission(client, editor, story):
    url = reverse("article_tag_suggestions", args=[story.pk])
    client.force_login(editor)
    assert client.get(url).status_code == 405
    client.post(url, {"kind": "planet", "entry": "1", "decision": "accept"})
    assert not story.actors.exists() and story.regions.count() == 1
    client.force_login(UserFactory(username="outsider", is_staff=True))
    assert client.post(url, {"kind": "region", "entry": "1", "decision": "accept"}).status_code == 403


# Accepting a suggested tag is an edit of the story like any other.


def _accept(client, article, entry, version):
    url = reverse("article_tag_suggestions", args=[article.pk])
    data = {"kind": "region" if isinstance(entry, Region) else "actor", "entry": entry.pk, "decision": "accept"}
    return client.post(url, {**data, "version": version}, follow=True).content.decode()


def _live(article):
    Article.objects.filter(pk=article.pk).update(status=Article.Status.PUBLISHED, first_published_at=timezone.now())
    article.refresh_from_db()
    return article


def test_an_accepted_tag_on_a_live_story_waits_in_its_pending_update_with_a_revision(client, editor, story):
    live = _live(story)
    client.force_login(editor)
    page = _accept(client, live, Region.objects.get(slug="baghouz"), live.version)
    assert "Publish update" in page  # the pending notice
    after = Article.objects.get(pk=live.pk)
    assert sorted(after.regions.values_list("slug", flat=True)) == ["syria"]  # readers see no change yet
    assert after.version == live.version + 1
    pending = revisions.pending_revision(after)
    assert pending.created_by == editor and "Baghouz" in pending.note
    assert Region.objects.get(slug="baghouz").pk in pending.content["regions"]
    assert _suggested(client, after) == ["syrian-democratic-forces"]  # the desk works on the pending content


def test_a_tag_accepted_while_an_update_is_pending_goes_live_with_it(client, editor, publisher, story):
    live = _live(story)
    editing.save_edit(live.pk, {"headline": "SDF takes Baghouz"}, by=editor, base_version=live.version)
    live.refresh_from_db()
    client.force_login(editor)
    _accept(client, live, Actor.objects.get(slug="syrian-democratic-forces"), live.version)
    workflow.publish_update(live, by=publisher)
    after = Article.objects.get(pk=live.pk)
    assert after.headline == "SDF takes Baghouz"
    assert list(after.actors.values_list("slug", flat=True)) == ["syrian-democratic-forces"]


def test_an_accept_over_a_version_someone_saved_since_is_refused_and_changes_nothing(client, editor, story):
    opened_at = story.version
    editing.save_edit(story.pk, {"headline": "Renamed"}, by=editor, base_version=opened_at)
    client.force_login(editor)
    page = _accept(client, story, Region.objects.get(slug="baghouz"), opened_at)
    assert "accept the suggestion again if it still applies" in page
    after = Article.objects.get(pk=story.pk)
    assert (after.version, sorted(after.regions.values_list("slug", flat=True))) == (opened_at + 1, ["syria"])


def test_a_reporter_cannot_accept_a_tag_on_someone_elses_story_and_nothing_changes(client, reporter, story):
    client.force_login(reporter)
    url = reverse("article_tag_suggestions", args=[story.pk])
    baghouz = Region.objects.get(slug="baghouz")
    response = client.post(url, {"kind": "region", "entry": baghouz.pk, "decision": "accept", "version": story.version})
    assert response.status_code == 403
    assert sorted(story.regions.values_list("slug", flat=True)) == ["syria"]
    assert Article.objects.get(pk=story.pk).version == story.version


def test_an_accept_posted_without_the_forms_version_changes_nothing(client, editor, story):
    client.force_login(editor)
    url = reverse("article_tag_suggestions", args=[story.pk])
    baghouz = Region.objects.get(slug="baghouz")
    page = client.post(url, {"kind": "region", "entry": baghouz.pk, "decision": "accept"}, follow=True)
    assert "That suggestion could not be understood; nothing was changed." in page.content.decode()
    assert sorted(story.regions.values_list("slug", flat=True)) == ["syria"]
