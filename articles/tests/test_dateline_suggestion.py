"""The desk's suggested dateline: a story pasted from the wire opens with its dateline ("BAGHOUZ, Syria (AFP) - …");
while the story has no dateline place, its change form offers the place (when the gazetteer knows it) under
"Suggested tags", and Accept saves it as an edit (`editing.give_dateline`): a revision by the editor, a pending
update on a live story, never over a dateline someone picked. Reject (`editing.decline_dateline`) is remembered
for the story: never offered again, nor given by an import or `retag_articles` reading the opening."""

import io
import json

import pytest
from django.urls import reverse

from articles import editing, workflow
from articles.models import Article, ArticleRevision, RejectedSuggestion
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
    assert line.count("<button") == 2 and 'value="accept"' in line and 'value="reject"' in line
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
    [{"decision": "ignore"}, {"version": "latest"}, {"entry": "baghouz"}, {"decision": "reject", "entry": "x"}],
    ids=["decision", "version", "entry", "reject-entry"],
)
def test_a_garbled_acceptance_changes_nothing(editor_client, places, changes):
    article = ArticleFactory(body=WIRE)
    data = {"entry": places["baghouz"].pk, **changes}
    response, said = _accept(editor_client, article, **data)
    assert response.status_code == 200
    assert said == "That suggestion could not be understood; nothing was changed."
    assert _dateline(article) is None and Article.objects.get(pk=article.pk).version == article.version
    assert not RejectedSuggestion.objects.exists()


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


def _reject(client, article, entry):
    data = {"kind": "dateline", "entry": entry, "decision": "reject"}
    response = client.post(reverse("article_tag_suggestions", args=[article.pk]), data, follow=True)
    return response, " ".join(str(m) for m in response.context["messages"]) if response.context else ""


def _tag_offered(client, article):
    """The places the change form suggests as tags (not as a dateline), by slug."""
    section = _change_page(client, article).split('id="tag-suggestions"')[1].split("</section>")[0]
    return [s.split('"')[0] for s in section.split('data-kind="region" data-slug="')[1:]]


def test_a_rejected_dateline_is_never_offered_again_and_the_story_does_not_change(editor_client, editor, places):
    article = ArticleFactory(headline="Pocket falls", body=WIRE)
    assert _tag_offered(editor_client, article) == ["baghouz", "syria"]
    response, said = _reject(editor_client, article, places["baghouz"].pk)
    assert said == "Baghouz will not be suggested as this article's dateline again."
    assert _offered(editor_client, article) is None
    stored = Article.objects.get(pk=article.pk)
    assert (stored.version, stored.dateline_place_id) == (article.version, None)
    assert not ArticleRevision.objects.filter(article=article).exists()  # no content changed: no revision
    declined = RejectedSuggestion.objects.get()
    assert (declined.region, declined.as_dateline, declined.rejected_by) == (places["baghouz"], True, editor)
    # The story may still be about Baghouz: the tag is still suggested, and accepting it leaves the refusal.
    assert _tag_offered(editor_client, article) == ["baghouz", "syria"]
    data = {"kind": "region", "entry": places["baghouz"].pk, "decision": "accept", "version": stored.version}
    editor_client.post(reverse("article_tag_suggestions", args=[article.pk]), data)
    assert list(Article.objects.get(pk=article.pk).regions.all()) == [places["baghouz"]]
    assert _offered(editor_client, article) is None
    # Rejecting twice keeps one refusal.
    _reject(editor_client, article, places["baghouz"].pk)
    assert RejectedSuggestion.objects.filter(as_dateline=True).count() == 1


def test_the_arabic_desk_is_told_in_arabic(client, editor, places):
    article = ArticleFactory(body=WIRE)
    desk(client, editor, "ar")
    response, said = _reject(client, article, places["baghouz"].pk)
    assert said == "لن يُقترح الباغوز (Baghouz) مكانًا لهذا الخبر مرة أخرى."


def test_another_opening_is_still_offered_after_a_rejection(editor_client, editor, places):
    article = ArticleFactory(body=WIRE)
    _reject(editor_client, article, places["baghouz"].pk)
    body = "<p>DEIR EZZOR (Reuters) - The story was refiled from the city.</p>"
    editing.save_edit(article.pk, {"body": body}, by=editor, base_version=article.version)
    assert _offered(editor_client, article) == "deir-ez-zor"


def test_accepting_from_a_form_opened_before_the_rejection_takes_the_latest_word(editor_client, editor, places):
    article = ArticleFactory(body=WIRE)
    editing.decline_dateline(article.pk, places["baghouz"], by=editor)
    response, said = _accept(editor_client, article, places["baghouz"].pk)
    assert said == "Dateline set to Baghouz." and _dateline(article) == "baghouz"
    assert not RejectedSuggestion.objects.exists()


def test_a_forged_or_forbidden_rejection_is_refused(client, editor_client, editor, reporter, places, roles):
    article = ArticleFactory(body=WIRE)
    response, said = _reject(editor_client, article, places["deir"].pk)  # the opening names Baghouz
    assert said == "The story does not open with that dateline; nothing was changed."
    # Another reporter's draft, and a spiked story even for a superuser: the view refuses.
    theirs = _article_in(S.DRAFT)
    Article.objects.filter(pk=theirs.pk).update(body=WIRE)
    spiked = _article_in(S.SPIKED)
    Article.objects.filter(pk=spiked.pk).update(body=WIRE)
    client.force_login(reporter)
    data = {"kind": "dateline", "entry": places["baghouz"].pk, "decision": "reject"}
    assert client.post(reverse("article_tag_suggestions", args=[theirs.pk]), data).status_code == 403
    client.force_login(UserFactory(username="chief", is_superuser=True, is_staff=True))
    assert client.post(reverse("article_tag_suggestions", args=[spiked.pk]), data).status_code == 403
    # And the action itself refuses, whoever calls it.
    with pytest.raises(editing.EditRefused):
        editing.decline_dateline(theirs.pk, places["baghouz"], by=reporter)
    with pytest.raises(editing.EditRefused):
        editing.decline_dateline(spiked.pk, places["baghouz"], by=editor)
    assert not RejectedSuggestion.objects.exists()


def test_retag_articles_does_not_give_a_rejected_dateline(editor, places):
    from django.core.management import call_command

    declined, other = ArticleFactory(body=WIRE), ArticleFactory(body=WIRE)
    editing.decline_dateline(declined.pk, places["baghouz"], by=editor)
    call_command("retag_articles", stdout=io.StringIO())
    assert (_dateline(declined), _dateline(other)) == (None, "baghouz")


def test_an_import_update_does_not_give_a_rejected_dateline(tmp_path, editor, places):
    from articles.importers.pipeline import ImportOptions, run_import

    def run(body):
        path = tmp_path / "wire.jsonl"
        path.write_text(json.dumps({"source_id": "w1", "headline": "Pocket falls", "body": body}) + "\n")
        return run_import([str(path)], ImportOptions(autotag=False))

    run("<p>Families came back to Baghouz.</p>")
    article = Article.objects.get()
    # The desk declines a dateline the story does not have yet (the wire refiles it with one next).
    Article.objects.filter(pk=article.pk).update(body=WIRE)
    editing.decline_dateline(article.pk, places["baghouz"], by=editor)
    assert run(WIRE.replace("last pocket", "last pocket of land")).updated == 1
    assert _dateline(article) is None
    # Another story refiled with that opening gets it, as ever.
    assert run_import([str(_row(tmp_path, "w2", WIRE))], ImportOptions(autotag=False)).imported == 1
    assert Article.objects.get(source_id="w2").dateline_place == places["baghouz"]


def _row(tmp_path, key, body):
    path = tmp_path / f"{key}.jsonl"
    path.write_text(json.dumps({"source_id": key, "headline": f"Story {key}", "body": body}) + "\n")
    return path
