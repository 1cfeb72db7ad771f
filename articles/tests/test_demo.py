"""Demo stories reach their status through the workflow, moved by the demo accounts, idempotently."""

import json

import pytest
from django.contrib.auth import get_user_model
from lxml import html as lxml_html

from articles.demo import AUTHOR_JOB_TITLES, AUTHOR_NAMES_AR, DATA_FILE, load_demo
from articles.models import Article, ArticleEvent, Author

pytestmark = pytest.mark.django_db
S = Article.Status

STORIES = [
    {
        "key": "baghouz-civilians",
        "language": "en",
        "section": "Syria News",
        "kicker": "Deir ez-Zor",
        "headline": "Civilians leave Baghouz as fighting stops",
        "standfirst": "Buses carried families north.",
        "body": ["First paragraph.", "Second paragraph."],
        "authors": ["Lina Haddad"],
        "credit": "",
        "dateline": "baghouz",
        "regions": ["baghouz"],
        "actors": ["islamic-state"],
        "translation_of": None,
        "status": "published",
        "published_hours_ago": 5,
        "corrections": [{"kind": "clarification", "note": "The buses were run by the SDF, not the UN."}],
        "featured_hours": 6,
    },
    {
        "key": "baghouz-civilians-ar",
        "language": "ar",
        "section": "Syria News",
        "kicker": "",
        "headline": "مدنيون يغادرون الباغوز",
        "standfirst": "",
        "body": ["فقرة أولى."],
        "authors": [],
        "credit": "",
        "dateline": "",
        "regions": ["baghouz"],
        "actors": [],
        "translation_of": "baghouz-civilians",
        "status": "submitted",
        "published_hours_ago": None,
    },
    {
        "key": "water-crisis",
        "language": "en",
        "section": "Iraq News > Local News",
        "kicker": "",
        "headline": "Basra water crisis deepens",
        "standfirst": "",
        "body": ["Text."],
        "authors": [],
        "credit": "AFP",
        "dateline": "",
        "regions": ["iraq"],
        "actors": [],
        "translation_of": None,
        "status": "draft",
        "published_hours_ago": None,
    },
]


@pytest.fixture
def demo_file(tmp_path):
    path = tmp_path / "demo.jsonl"
    path.write_text("\n".join(json.dumps(s, ensure_ascii=False) for s in STORIES) + "\n", encoding="utf-8")
    return path


def test_demo_stories_reach_their_status_through_the_workflow(demo_file, places, actors):
    report = load_demo(demo_file)
    assert (report.created, report.existing) == (3, 0)
    by_key = {a.source_id: a for a in Article.objects.filter(source="demo")}
    published, submitted, draft = (by_key[k] for k in ("baghouz-civilians", "baghouz-civilians-ar", "water-crisis"))
    assert (published.status, submitted.status, draft.status) == (S.PUBLISHED, S.SUBMITTED, S.DRAFT)
    assert published in Article.objects.published() and submitted not in Article.objects.published()
    trail = list(ArticleEvent.objects.filter(article=published).order_by("pk").values_list("action", "actor__username"))
    assert trail[:3] == [("submit", "reporter"), ("approve", "editor"), ("publish", "publisher")]
    assert list(ArticleEvent.objects.filter(article=submitted).values_list("action", "actor__username")) == [
        ("submit", "reporter")
    ]
    assert not ArticleEvent.objects.filter(article=draft).exists()
    assert published.revisions.get().number == 1 and published.revisions.get().content["regions"] == [
        places["baghouz"].pk
    ]
    assert list(published.actors.all()) == [actors["isis"]]
    assert submitted.translations.get() == published
    assert published.created_by == get_user_model().objects.get(username="reporter")


def test_a_fresh_site_shows_a_public_note_and_a_story_at_the_top_of_the_front_page(client, demo_file, places, actors):
    load_demo(demo_file)
    published = Article.objects.get(source="demo", source_id="baghouz-civilians")
    trail = list(ArticleEvent.objects.filter(article=published).order_by("pk").values_list("action", "actor__username"))
    assert trail[3:] == [("correct", "publisher"), ("feature", "publisher")]
    assert "The buses were run by the SDF, not the UN." in client.get("/corrections/").content.decode()
    assert published.is_featured


def test_a_fresh_site_has_a_live_blog_with_bylines_a_key_event_and_a_pin(client, tmp_path, places, actors):
    live = {
        **STORIES[0],
        "key": "live-blog",
        "headline": "Families leave the camp",
        "translation_of": None,
        "live_updates": [
            {"title": "What we know", "text": "A summary."},
            {"title": "Buses leave", "text": "Twelve buses left.", "author": "Karwan Aziz"},
        ],
        "pinned_update": 0,
    }
    path = tmp_path / "demo.jsonl"
    path.write_text(json.dumps(live) + "\n", encoding="utf-8")
    load_demo(path)
    article = Article.objects.get(source_id="live-blog")
    page = lxml_html.fromstring(client.get(article.get_absolute_url()).content.decode())
    assert page.xpath('//div[@class="live-pinned"]//h3')[0].text_content() == "What we know"
    assert [li.text_content().split(" ", 3)[-1] for li in page.xpath('//nav[@class="key-events"]//li')] == [
        "Buses leave",
        "What we know",
    ]
    assert [p.text_content() for p in page.xpath('//p[@class="live-update-byline"]')] == ["By Karwan Aziz"]
    assert load_demo(path).existing == 1 and article.live_updates.count() == 2  # loading again adds nothing


def test_the_demo_sections_have_arabic_names_for_the_arabic_edition(demo_file, places, actors):
    from articles.models import Section

    load_demo(demo_file)
    names = dict(Section.objects.values_list("name", "name_ar"))
    # Known demo sections are named in Arabic; one the list does not know keeps the English name alone.
    assert names == {"Iraq News": "أخبار العراق", "Local News": "محليات", "Syria News": ""}


def test_the_demo_authors_have_arabic_names_for_the_arabic_edition(tmp_path, places, actors):
    path = tmp_path / "demo.jsonl"
    path.write_text(json.dumps({**STORIES[0], "authors": ["Rasha Khalil", "Lina Haddad"]}) + "\n", encoding="utf-8")
    load_demo(path)
    # A known demo author is named in Arabic; one the list does not know keeps the display name alone.
    names = dict(Author.objects.filter(user=None).values_list("display_name", "name_ar"))
    assert names == {"Rasha Khalil": "رشا خليل", "Lina Haddad": ""}
    # Every author the shipped demo stories name has an Arabic name.
    lines = DATA_FILE.read_text(encoding="utf-8").splitlines()
    named = {name for line in lines if line.strip() for name in json.loads(line).get("authors", [])}
    assert named and named <= set(AUTHOR_NAMES_AR)


def test_the_demo_authors_say_what_they_do_in_both_languages_and_have_no_photo(tmp_path, places, actors):
    path = tmp_path / "demo.jsonl"
    path.write_text(json.dumps({**STORIES[0], "authors": ["Rasha Khalil", "Lina Haddad"]}) + "\n", encoding="utf-8")
    load_demo(path)
    titles = {a.display_name: (a.job_title, a.job_title_ar, a.photo_id) for a in Author.objects.filter(user=None)}
    assert titles["Rasha Khalil"] == (*AUTHOR_JOB_TITLES["Rasha Khalil"], None)
    assert titles["Lina Haddad"] == ("", "", None)  # an author the list does not know
    # Every author the shipped demo stories name has a job title in English and in Arabic.
    lines = DATA_FILE.read_text(encoding="utf-8").splitlines()
    named = {name for line in lines if line.strip() for name in json.loads(line).get("authors", [])}
    assert named <= set(AUTHOR_JOB_TITLES)
    assert all(english and arabic for english, arabic in AUTHOR_JOB_TITLES.values())


def test_loading_the_demo_twice_changes_nothing(demo_file, places, actors):
    load_demo(demo_file)
    counts = (Article.objects.count(), ArticleEvent.objects.count())
    report = load_demo(demo_file)
    assert (report.created, report.existing) == (0, 3)
    assert (Article.objects.count(), ArticleEvent.objects.count()) == counts


def test_a_demo_file_with_an_unknown_status_is_refused_whole(tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text(json.dumps({**STORIES[2], "status": "live"}) + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match="Unknown demo story status: live"):
        load_demo(path)
    assert not Article.objects.exists()


def test_demo_stories_keep_their_type_of_work_and_the_opinion_section_suggests_opinion(tmp_path, places, actors):
    from articles.models import Section

    path = tmp_path / "demo.jsonl"
    opinion = {**STORIES[0], "key": "op", "section": "Opinion", "genre": "opinion", "headline": "Close the camps"}
    path.write_text(json.dumps(STORIES[0]) + "\n" + json.dumps(opinion) + "\n", encoding="utf-8")
    load_demo(path)
    genres = dict(Article.objects.values_list("source_id", "genre"))
    assert genres == {"baghouz-civilians": "news", "op": "opinion"}
    assert dict(Section.objects.values_list("name", "default_genre")) == {"Syria News": "", "Opinion": "opinion"}
    # The shipped demo labels its opinion piece and its analysis.
    shipped = [json.loads(line) for line in DATA_FILE.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert sorted(story["genre"] for story in shipped if "genre" in story) == ["analysis", "opinion"]
