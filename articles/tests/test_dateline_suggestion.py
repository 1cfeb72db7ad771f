"""The desk's suggested dateline: a story pasted from the wire opens with its dateline ("BAGHOUZ, Syria (AFP) - …");
while the story has no dateline place, its change form offers the place (when the gazetteer knows it) under
"Suggested tags", and Accept saves it as an edit (`editing.give_dateline`): a revision by the editor, a pending
update on a live story, never over a dateline someone picked."""

import pytest
from django.urls import reverse

from articles import editing, workflow
from articles.models import Article, ArticleRevision
from articles.tests.factories import ArticleFactory, UserFactory
from articles.tests.test_pickers import desk
from articles.tests.test_workflow import _article_in

pytestmark = pytest.mark.django_db
S = Article.Status
WIRE = "<p>BAGHOUZ, Syria, March 23 (AFP) - US-backed forces took the last pocket.</p>"


def _change_page(client, article):
    return client.get(reverse("admin:articles_article_change", args=[article.pk]), follow=True).content.decode()


def _offered(client, article):
    """The dateline the change form offers, as the slug on its line, or None."""
    page = _change_page(client, article)
    section = page.split('id="tag-suggestions"')[1].split("</section>")[0]
    lines = [s.split('"')[0] for s in section.split('data-kind="dateline" data-slug="')[1:]]
    assert len(lines) <= 1
    return lines[0] if lines else None


def _accept(client, article, entry, version=None, **extra):
    data = {"kind": "dateline", "entry": entry, "decision": "accept", **extra}
    data["version"] = article.version if version is None else version
    response = client.post(reverse("article_tag_suggestions", args=[article.pk]), data, follow=True)
    return response, " ".join(str(m) for m in response.context["messages"])


def _dateline(article):
    return Article.objects.filter(pk=article.pk).values_list("dateline_place__slug", flat=True).get()


def test_an_editor_accepts_the_dateline_a_wire_story_opens_with(editor_client, editor, places):
    article = ArticleFactory(headline="Pocket falls", body=WIRE)
    assert _offered(editor_client, article) == "baghouz"
    line = _change_page(editor_client, article).split('data-kind="dateline"')[1].split("</li>")[0]
    assert "<small>dateline, from the story's opening</small>" in line
    assert line.count("<button") == 1 and 'value="reject"' not in line  # nothing to reject: it goes once set
    response, said = _accept(editor_client, article, places["baghouz"].pk)
    assert said == "Dateline set to Baghouz."
    assert _dateline(article) == "baghouz"
    latest = ArticleRevision.objects.filter(article=article).latest("number")
    assert (latest.number, latest.created_by, latest.content["dateline_place"]) == (2, editor, places["baghouz"].pk)
    assert latest.note == "dateline read from the story's opening"
    assert _offered(editor_client, article) is None  # it has one now


def test_an_arabic_wire_opening_is_offered_by_its_arabic_name(editor_client, places):
    article = ArticleFactory(headline="اجتماع", body="<p>بغداد - (أ ف ب) - اجتمع الوزراء.</p>", language="ar")
    assert _offered(editor_client, article) == "baghdad"


def test_the_arabic_desk_is_offered_the_dateline_in_arabic(client, editor, places):
    article = ArticleFactory(body=WIRE)
    desk(client, editor, "ar")
    page = _change_page(client, article)
    line = page.split('data-kind="dateline"')[1].split("</li>")[0]
    assert "<bdi>الباغوز (Baghouz)</bdi>" in line and "مكان الخبر، من مطلع المادة" in line
    response, said = _accept(client, article, places["baghouz"].pk)
    assert said == "صار مكان الخبر الباغوز (Baghouz)."


@pytest.mark.parametrize(
    "body",
    [
        "<p>ATLANTIS (AFP) - A place the gazetteer does not know.</p>",
        "<p>US-backed forces pressed on in Baghouz - slowly.</p>",  # no dateline opening, though a place is named
    ],
)
def test_nothing_is_offered_without_a_dateline_the_gazetteer_knows(editor_client, places, body):
    assert _offered(editor_client, ArticleFactory(body=body)) is None


def test_nothing_is_offered_when_the_story_has_a_dateline(editor_client, places):
    assert _offered(editor_client, ArticleFactory(body=WIRE, dateline_place=places["deir"])) is None


def test_on_a_live_story_the_dateline_waits_for_publish_update(editor_client, editor, publisher, places):
    article = _article_in(S.PUBLISHED)
    Article.objects.filter(pk=article.pk).update(body=WIRE)
    article.refresh_from_db()
    assert _offered(editor_client, article) == "baghouz"
    response, said = _accept(editor_client, article, places["baghouz"].pk)
    assert said.startswith("Saved as a pending update (version 2). Readers still see the published text")
    assert _dateline(article) is None  # readers see nothing yet
    assert _offered(editor_client, article) is None  # the pending update has one
    workflow.publish_update(Article.objects.get(pk=article.pk), by=publisher)
    assert _dateline(article) == "baghouz"
    page = editor_client.get(Article.objects.get(pk=article.pk).get_absolute_url()).content.decode()
    assert reverse("articles:region", args=["baghouz"]) in page


def test_a_pending_update_opening_with_a_dateline_is_offered_it(editor_client, editor, places):
    article = _article_in(S.PUBLISHED)
    editing.save_edit(article.pk, {"body": WIRE}, by=editor, base_version=article.version)
    assert _dateline(article) is None and _offered(editor_client, article) == "baghouz"


def test_a_dateline_picked_since_the_form_was_opened_is_never_replaced(editor_client, editor, places):
    article = ArticleFactory(body=WIRE)
    opened_at = article.version
    # Someone picks Deir ez-Zor after the form (and its suggestion) was shown.
    result = editing.save_edit(article.pk, {"dateline_place": places["deir"]}, by=editor, base_version=opened_at)
    response, said = _accept(editor_client, article, places["baghouz"].pk, version=opened_at)
    assert said.startswith(f"Not saved: editor saved version {result.revision.number} of this article at ")
    assert said.endswith(f"after you opened version {opened_at}. The form now shows their version; accept the "
                         "dateline again if it still applies.")  # fmt: skip
    assert _dateline(article) == "deir-ez-zor"
    # Accepting over the newest version is refused too: the desk's pick stands.
    response, said = _accept(editor_client, article, places["baghouz"].pk, version=result.revision.number)
    assert said == "This article already has a dateline; nothing was changed."
    assert _dateline(article) == "deir-ez-zor"
    assert Article.objects.get(pk=article.pk).version == result.revision.number


@pytest.mark.parametrize(
    "changes",
    [{"decision": "reject"}, {"version": "latest"}, {"entry": "baghouz"}],
    ids=["reject", "version", "entry"],
)
def test_a_garbled_acceptance_changes_nothing(editor_client, places, changes):
    article = ArticleFactory(body=WIRE)
    data = {"entry": places["baghouz"].pk, **changes}
    response, said = _accept(editor_client, article, **data)
    assert response.status_code == 200
    assert said == "That suggestion could not be understood; nothing was changed."
    assert _dateline(article) is None and Article.objects.get(pk=article.pk).version == article.version


def test_a_place_the_opening_does_not_name_is_refused_so_the_revision_note_stays_true(editor_client, places):
    article = ArticleFactory(body=WIRE)  # it opens with Baghouz; a forged post names Deir ez-Zor
    response, said = _accept(editor_client, article, places["deir"].pk)
    assert said == "The story does not open with that dateline; nothing was changed."
    no_dateline = ArticleFactory(body="<p>Families came back to Baghouz.</p>")
    response, said = _accept(editor_client, no_dateline, places["baghouz"].pk)
    assert said == "The story does not open with that dateline; nothing was changed."
    assert (_dateline(article), _dateline(no_dateline)) == (None, None)
    assert not ArticleRevision.objects.filter(article__in=[article, no_dateline]).exists()


def test_a_place_deleted_meanwhile_changes_nothing(editor_client, places):
    article = ArticleFactory(body=WIRE)
    gone = places["baghdad"].pk
    places["baghdad"].delete()
    response, said = _accept(editor_client, article, gone)
    assert said == "That entry no longer exists; nothing was changed."
    assert _dateline(article) is None


def test_who_may_not_edit_the_story_may_not_accept_its_dateline(client, reporter, places, roles):
    theirs = ArticleFactory(body=WIRE, created_by=UserFactory(username="colleague"))
    own = ArticleFactory(body=WIRE, created_by=reporter)
    spiked = _article_in(S.SPIKED)
    Article.objects.filter(pk=spiked.pk).update(body=WIRE)
    client.force_login(reporter)
    url = reverse("article_tag_suggestions", args=[theirs.pk])
    data = {"kind": "dateline", "entry": places["baghouz"].pk, "decision": "accept", "version": theirs.version}
    assert client.post(url, data).status_code == 403
    assert _dateline(theirs) is None
    # A reporter's own draft is theirs to edit, dateline included.
    _accept(client, own, places["baghouz"].pk)
    assert _dateline(own) == "baghouz"
    # Nobody edits a spiked story, editors included.
    client.force_login(UserFactory(username="chief", is_superuser=True, is_staff=True))
    url = reverse("article_tag_suggestions", args=[spiked.pk])
    assert client.post(url, {**data, "version": spiked.version}).status_code == 403
    assert _dateline(spiked) is None
