"""Pictures on a published story need a credit, a copyright holder and alt text; used pictures cannot vanish."""

from datetime import timedelta

import pytest
from django.db.models import ProtectedError
from django.utils import timezone

from articles import editing, revisions, workflow
from articles.images import articles_using, get_rendition, publication_problems
from articles.models import Article, ArticleEvent, Image
from articles.tests.factories import ArticleFactory
from articles.tests.pictures import library_image

pytestmark = pytest.mark.django_db
S = Article.Status


def _approved(**fields):
    article = ArticleFactory(**fields)
    Article.objects.filter(pk=article.pk).update(status=S.APPROVED)  # test set-up only: put the row in a state
    article.refresh_from_db()
    return article


def test_publishing_is_refused_while_the_lead_picture_has_no_credit_and_allowed_once_it_has(publisher):
    image = library_image(title="Checkpoint at dawn", credit="")
    article = _approved(lead_image=image)

    with pytest.raises(workflow.PicturesIncomplete) as refused:
        workflow.publish(article, by=publisher)

    assert str(refused.value) == "The lead picture “Checkpoint at dawn” has no credit."
    article.refresh_from_db()
    assert article.status == S.APPROVED
    assert not ArticleEvent.objects.filter(article=article).exists()

    Image.objects.filter(pk=image.pk).update(credit="Jane Doe / AFP")
    workflow.publish(article, by=publisher)

    assert Article.objects.get(pk=article.pk).status == S.PUBLISHED


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"copyright_holder": ""}, "has no copyright holder"),
        ({"alt_text": ""}, r"has no alt text \(describe it, or mark it decorative\)"),
    ],
)
def test_lead_picture_needs_copyright_holder_and_alt_text(publisher, fields, message):
    article = _approved(lead_image=library_image(**fields))

    with pytest.raises(workflow.PicturesIncomplete, match=message):
        workflow.publish(article, by=publisher)


def test_decorative_lead_picture_needs_no_alt_text(publisher):
    article = _approved(lead_image=library_image(alt_text="", decorative=True))

    workflow.publish(article, by=publisher)

    assert Article.objects.get(pk=article.pk).status == S.PUBLISHED


def test_update_and_schedule_are_refused_too(publisher):
    image = library_image(credit="")
    live = ArticleFactory(lead_image=image)
    Article.objects.filter(pk=live.pk).update(status=S.PUBLISHED, first_published_at=timezone.now())
    live.refresh_from_db()
    approved = _approved(lead_image=image)

    with pytest.raises(workflow.PicturesIncomplete, match="no credit"):
        workflow.publish_update(live, by=publisher)
    with pytest.raises(workflow.PicturesIncomplete, match="no credit"):
        workflow.schedule(approved, by=publisher, at=timezone.now() + timedelta(hours=2))


def _live_with_pending(editor, **content):
    live = ArticleFactory(body="<p>Live text.</p>")
    Article.objects.filter(pk=live.pk).update(status=S.PUBLISHED, first_published_at=timezone.now())
    live.refresh_from_db()
    assert editing.save_edit(live.pk, content, by=editor, base_version=live.version).pending
    return live


def test_an_update_whose_pending_edit_adds_an_uncredited_picture_is_refused_and_nothing_goes_live(
    client, editor, publisher
):
    uncredited = library_image(title="Market", credit="")
    url = get_rendition(uncredited, "w1280-full.jpg").url
    body = f'<p>New text.</p><p><img src="{url}" alt="A market" width="1280" height="960"></p>'
    lead, inline = _live_with_pending(editor, lead_image=uncredited.pk), _live_with_pending(editor, body=body)
    deleted = _live_with_pending(editor, body='<p><img src="/media/images/renditions/' + "ab" * 32 + '/w.jpg"></p>')

    for story, refusal in ((lead, "no credit"), (inline, "Market"), (deleted, "no longer in the library")):
        with pytest.raises(workflow.PicturesIncomplete, match=refusal):
            workflow.publish_update(story, by=publisher)
        after = Article.objects.get(pk=story.pk)
        assert (after.lead_image_id, after.body) == (None, "<p>Live text.</p>")
        assert revisions.pending_revision(after) is not None
        assert not ArticleEvent.objects.filter(article=story, action="publish_update").exists()
        assert "Market" not in client.get(story.get_absolute_url()).content.decode()


def test_an_update_whose_pending_edit_takes_an_uncredited_picture_off_goes_live(editor, publisher):
    uncredited = library_image(credit="")
    live = ArticleFactory(lead_image=uncredited)
    Article.objects.filter(pk=live.pk).update(status=S.PUBLISHED, first_published_at=timezone.now())
    live.refresh_from_db()
    editing.save_edit(live.pk, {"lead_image": None}, by=editor, base_version=live.version)

    workflow.publish_update(live, by=publisher)

    assert Article.objects.get(pk=live.pk).lead_image_id is None


def test_inline_picture_without_credit_blocks_publication(publisher):
    inline = library_image(title="Bridge", credit="")
    url = get_rendition(inline, "w1280-full.jpg").url
    article = _approved(body=f'<p>Text.</p><p><img src="{url}" alt="A bridge" width="1280" height="960"></p>')

    assert publication_problems(article) == ["The picture in the body “Bridge” has no credit."]
    with pytest.raises(workflow.PicturesIncomplete, match="Bridge"):
        workflow.publish(article, by=publisher)


def test_a_body_pointing_at_an_uncredited_pictures_original_file_blocks_publication(publisher):
    inline = library_image(title="Bridge", credit="")
    article = _approved(body=f'<p><img src="/media/{inline.file.name}" alt="A bridge"></p>')

    with pytest.raises(workflow.PicturesIncomplete, match="Bridge"):
        workflow.publish(article, by=publisher)
    assert list(articles_using(inline)) == [article]


def test_a_picture_from_another_site_in_the_body_blocks_publication_by_its_address(publisher):
    article = _approved(body='<p>Text.</p><p><img src="https://example.com/photo.jpg" alt="A market"></p>')

    with pytest.raises(workflow.PicturesIncomplete, match=r"outside the library \(https://example.com/photo.jpg\)"):
        workflow.publish(article, by=publisher)
    assert Article.objects.get(pk=article.pk).status == S.APPROVED


def test_body_pointing_at_a_deleted_picture_blocks_publication(publisher):
    article = _approved(body='<p><img src="/media/images/renditions/' + "ab" * 32 + '/w1280-full.jpg" alt="x"></p>')

    with pytest.raises(workflow.PicturesIncomplete, match="no longer in the library"):
        workflow.publish(article, by=publisher)


def test_story_without_pictures_publishes_as_before(publisher):
    article = _approved()

    assert publication_problems(article) == []
    workflow.publish(article, by=publisher)


def test_articles_using_lists_lead_and_inline_uses():
    image = library_image()
    lead = ArticleFactory(lead_image=image)
    url = get_rendition(image, "w1280-full.jpg").url
    inline = ArticleFactory(body=f'<p><img src="{url}" alt="x"></p>')
    by_id = ArticleFactory(body=f'<p><img src="/x.jpg" data-image-id="{image.pk}" alt="x"></p>')
    ArticleFactory(body="<p>No picture.</p>")

    assert set(articles_using(image)) == {lead, inline, by_id}


def test_a_lead_picture_cannot_be_deleted_while_used():
    image = library_image()
    ArticleFactory(lead_image=image)

    with pytest.raises(ProtectedError):
        image.delete()
