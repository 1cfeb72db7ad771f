"""Demo content and demo accounts for a fresh install (`make run`), loaded idempotently.

Stories come from `demo_articles.jsonl` beside this module (our own writing) and key on
(source="demo", source_id=key), so loading twice changes nothing. A story whose "status" is "submitted" or
"published" gets there through the workflow, moved by the demo accounts (the reporter submits, the editor
approves, the publisher publishes), so its audit trail reads like a real one. Publication times are the
time of loading: `published_hours_ago` in the file is not used, because no workflow move can publish in
the past.
"""

import json
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.html import escape
from django.utils.text import slugify

from articles import editing, workflow
from articles.models import Actor, Article, Author, Region, Section
from articles.roles import ADMIN, EDITOR, PUBLISHER, REPORTER, ensure_roles

DATA_FILE = Path(__file__).resolve().parent / "demo_articles.jsonl"
DEMO_SOURCE = "demo"
# Demo logins: username -> (role, password). Development only; the command refuses when DEBUG is off.
# The workflow moves that bring a new demo story to its "status", each made by the named demo account.
STATUS_MOVES = {
    "draft": [],
    "submitted": [("submit", "reporter")],
    "published": [("submit", "reporter"), ("approve", "editor"), ("publish", "publisher")],
}
DEMO_ACCOUNTS = {
    "reporter": (REPORTER, "reporter-demo-pass"),
    "editor": (EDITOR, "editor-demo-pass"),
    "publisher": (PUBLISHER, "publisher-demo-pass"),
    "admin": (ADMIN, "admin-demo-pass"),
}


@dataclass
class DemoReport:
    """What loading the demo did."""

    accounts: list = field(default_factory=list)
    created: int = 0
    existing: int = 0


# The demo sections' names in the Arabic edition (menu, section pages, search filter).
SECTION_NAMES_AR = {
    "Iraq News": "أخبار العراق",
    "Local News": "محليات",
    "Politics": "سياسة",
    "Opinion": "رأي",
    "Region": "المنطقة",
    "Iran": "إيران",
    "Turkey": "تركيا",
    "Syria": "سوريا",
    "World": "العالم",
}


# The type of work a story filed in a demo section starts with in the desk's form (Section.default_genre).
SECTION_GENRES = {"Opinion": Article.Genre.OPINION}


def ensure_section(path):
    """The section at `path` ("Iraq News > Local News"), creating missing levels (with their Arabic names and
    the type of work they suggest)."""
    parent = None
    for position, name in enumerate(part.strip() for part in path.split(">")):
        section = Section.objects.filter(parent=parent, name=name).first()
        if section is None:
            slug = slugify(f"{parent.slug}-{name}" if parent else name, allow_unicode=True)
            section = Section.objects.create(
                parent=parent,
                name=name,
                name_ar=SECTION_NAMES_AR.get(name, ""),
                slug=slug,
                position=position,
                default_genre=SECTION_GENRES.get(name, ""),
            )
        parent = section
    return parent


# The demo authors' bylines in the Arabic edition (invented people, as the stories are ours).
AUTHOR_NAMES_AR = {
    "Daniel Hartley": "دانيال هارتلي",
    "Karwan Aziz": "كاروان عزيز",
    "Mustafa Jabbar": "مصطفى جبار",
    "Rasha Khalil": "رشا خليل",
    "Zainab al-Rikabi": "زينب الركابي",
}


# What each demo author does, in English and Arabic: the job title under their name on their page.
AUTHOR_JOB_TITLES = {
    "Daniel Hartley": ("Opinion writer on water and the environment", "كاتب رأي في شؤون المياه والبيئة"),
    "Karwan Aziz": ("Kurdistan Region correspondent, Duhok", "مراسل إقليم كردستان في دهوك"),
    "Mustafa Jabbar": ("Baghdad political correspondent", "مراسل الشؤون السياسية في بغداد"),
    "Rasha Khalil": ("Syria and Lebanon correspondent, Damascus", "مراسلة سوريا ولبنان في دمشق"),
    "Zainab al-Rikabi": ("Iraq correspondent, Basra", "مراسلة العراق في البصرة"),
}


def ensure_author(display_name):
    """The author called `display_name`, created if new (with their Arabic name and job titles)."""
    job_title, job_title_ar = AUTHOR_JOB_TITLES.get(display_name, ("", ""))
    author, _ = Author.objects.get_or_create(
        slug=slugify(display_name, allow_unicode=True),
        defaults={
            "display_name": display_name,
            "name_ar": AUTHOR_NAMES_AR.get(display_name, ""),
            "job_title": job_title,
            "job_title_ar": job_title_ar,
        },
    )
    return author


def ensure_accounts():
    """The four demo staff accounts, one per role; passwords are reset to the printed ones."""
    groups = ensure_roles()
    user_model = get_user_model()
    accounts = []
    for username, (role, password) in DEMO_ACCOUNTS.items():
        user, _ = user_model.objects.get_or_create(username=username, defaults={"email": f"{username}@example.org"})
        user.is_staff = True
        user.set_password(password)
        user.save()
        user.groups.set([groups[role]])
        Author.objects.get_or_create(user=user, defaults={"display_name": f"{role} (demo)", "slug": f"demo-{username}"})
        accounts.append((role, username, password))
    return accounts


def _body_html(paragraphs):
    return "".join(f"<p>{escape(p)}</p>" for p in paragraphs)


def _new_story(story, reporter):
    """Create one demo story as a draft by the demo reporter (revision 1), tagged and bylined."""
    article = Article(
        headline=story["headline"],
        slug=slugify(story["headline"], allow_unicode=True)[:200],
        kicker=story.get("kicker", ""),
        genre=story.get("genre", Article.Genre.NEWS),
        standfirst=story.get("standfirst", ""),
        body=_body_html(story["body"]),
        language=story.get("language", "en"),
        section=ensure_section(story["section"]) if story.get("section") else None,
        credit=story.get("credit", ""),
        source=DEMO_SOURCE,
        source_id=story["key"],
        created_by=reporter,
        dateline_place=Region.objects.filter(slug=story.get("dateline") or "").first(),
    )
    relations = {
        "authors": [ensure_author(name).pk for name in story.get("authors", [])],
        "regions": list(Region.objects.filter(slug__in=story.get("regions", [])).values_list("pk", flat=True)),
        "actors": list(Actor.objects.filter(slug__in=story.get("actors", [])).values_list("pk", flat=True)),
    }
    editing.create_article(article, relations, by=reporter)
    return article


@transaction.atomic
def load_demo(path=DATA_FILE):
    """Create the demo accounts and stories that are not there yet; returns a DemoReport."""
    report = DemoReport(accounts=ensure_accounts())
    stories = [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines() if line.strip()]
    unknown = sorted({s.get("status", "draft") for s in stories} - set(STATUS_MOVES))
    if unknown:
        raise ValueError(f"Unknown demo story status: {', '.join(unknown)} (expected {', '.join(STATUS_MOVES)})")
    existing = set(Article.objects.filter(source=DEMO_SOURCE).values_list("source_id", flat=True))
    users = {u.username: u for u in get_user_model().objects.filter(username__in=DEMO_ACCOUNTS)}
    by_key = {}
    for story in stories:
        if story["key"] in existing:
            report.existing += 1
            continue
        by_key[story["key"]] = _new_story(story, users["reporter"])
        report.created += 1
    for story in stories:
        original = story.get("translation_of")
        if story["key"] in by_key and original:
            other = by_key.get(original) or Article.objects.filter(source=DEMO_SOURCE, source_id=original).first()
            if other:
                by_key[story["key"]].link_translation(other)
    for story in stories:
        if story["key"] in by_key:
            for move, username in STATUS_MOVES[story.get("status", "draft")]:
                getattr(workflow, move)(by_key[story["key"]], by=users[username])
            _public_moves(story, by_key[story["key"]], users["publisher"])
    return report


def _public_moves(story, article, publisher):
    """What the publisher does to a live demo story: its public notes ("corrections": [{kind, note}]), its live
    updates ("live_updates": [{title, text, author}], oldest first) with the one pinned ("pinned_update", its
    place in that list) and its time at the top of the front page ("featured_hours"), so a fresh site shows
    them all."""
    for correction in story.get("corrections", []):
        workflow.correct(article, by=publisher, note=correction["note"], kind=correction["kind"])
    for update in story.get("live_updates", []):
        author = ensure_author(update["author"]) if update.get("author") else None
        workflow.post_live_update(
            article, by=publisher, text=update["text"], title=update.get("title", ""), author=author
        )
    if "pinned_update" in story:
        posted = list(article.live_updates.order_by("posted_at", "pk"))
        workflow.pin_live_update(posted[story["pinned_update"]], by=publisher)
    if story.get("featured_hours"):
        workflow.feature(article, by=publisher, until=timezone.now() + timedelta(hours=story["featured_hours"]))
