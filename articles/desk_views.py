"""Staff pages outside the model admin: My desk, previews, shared preview links and the presence heartbeat.

Mounted under /desk/ (articles/desk_urls.py). Every page needs a staff login; what a user may do to an
article is still decided by workflow.py and editing.py.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.views.decorators import staff_member_required
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from articles import presence, previews, revisions
from articles.models import Article
from articles.views import article_page_context

DESK_LIST_SIZE = 50
S = Article.Status


def _desk_lists(user):
    """The sections of My desk for `user`'s role: (key, title, articles) with a fixed number of queries."""
    base = Article.objects.select_related("section__parent", "created_by")
    mine = base.owned_by(user)
    lists = [("drafts", _("My drafts"), mine.filter(status=S.DRAFT).with_last_move().order_by("-updated_at"))]
    if user.has_perm("articles.approve_article"):
        waiting = [S.SUBMITTED, S.APPROVED] if user.has_perm("articles.publish_article") else [S.SUBMITTED]
        review = base.filter(status__in=waiting).with_last_move().order_by("updated_at")
        lists.append(("review", _("Waiting for my review"), review))
    else:
        review = mine.filter(status__in=[S.SUBMITTED, S.APPROVED]).with_last_move().order_by("-updated_at")
        lists.append(("review", _("My stories with the editors"), review))
    if user.has_perm("articles.publish_article"):
        pending = base.filter(status=S.PUBLISHED).with_pending_update().order_by("-updated_at")
        lists.append(("updates", _("Updates waiting to go live"), pending))
    if user.has_perm("articles.post_live_update"):
        # The live blogs a publisher keeps going, the one updated longest ago last.
        lists.append(("live", _("Live now"), base.filter(status=S.PUBLISHED).live_now()))
    lists.append(("scheduled", _("Scheduled"), base.filter(status=S.SCHEDULED).order_by("scheduled_for")))
    published = base if user.has_perm("articles.change_any_article") else mine
    recent = published.filter(status=S.PUBLISHED).order_by("-last_published_at")
    lists.append(("published", _("Recently published"), recent))
    return [(key, title, list(articles[:DESK_LIST_SIZE])) for key, title, articles in lists]


@staff_member_required
def my_desk(request):
    """My desk: my drafts (with the reason if sent back), what waits for me, the live blogs going on (publishers),
    what is scheduled, what went out."""
    context = {
        **admin.site.each_context(request),
        "title": _("My desk"),
        "lists": _desk_lists(request.user),
        "now": timezone.now(),
    }
    return render(request, "admin/articles/desk.html", context)


def _viewable_article(request, pk):
    article = get_object_or_404(Article, pk=pk)
    if not request.user.has_perm("articles.view_article"):
        raise PermissionDenied
    return article


def _render_as_public(request, article, version=None):
    """The public article template with `article` as readers would see it, at `version` or its newest text."""
    content = None
    if version:
        number = str(version)
        revision = article.revisions.filter(number=number).first() if number.isdigit() and len(number) <= 9 else None
        if revision is None:
            raise Http404(_("There is no such version."))
        content = revision.content
    else:
        pending = revisions.pending_revision(article)
        content = pending.content if pending else None
    if content is None:
        shown = (
            Article.objects.select_related("section", "dateline_place")
            .prefetch_related("regions", "actors", "authors", "see_also")
            .get(pk=article.pk)
        )
    else:
        shown = revisions.in_memory(article, content)
    # A preview is not for passing on: the story's address may not be public yet (no share links). It reads as
    # the story's edition does, whatever language the desk speaks to this person (newsroom/staff_language.py).
    with translation.override(shown.language):
        response = render(request, "articles/article_detail.html", {**article_page_context(shown), "preview": True})
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@never_cache
@staff_member_required
def preview(request, pk):
    """Any article, published or not, rendered by the public template (?version=N for an older version)."""
    article = _viewable_article(request, pk)
    return _render_as_public(request, article, request.GET.get("version"))


class ShareForm(forms.Form):
    """Whom to share a preview with, and for how long."""

    colleague = forms.ModelChoiceField(queryset=get_user_model().objects.filter(is_active=True, is_staff=True))
    hours = forms.IntegerField(min_value=1, max_value=336, required=False)


@staff_member_required
@require_POST
def share(request, pk):
    """Make a signed preview link for one named colleague, valid for the chosen number of hours."""
    article = _viewable_article(request, pk)
    form = ShareForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a colleague and a number of hours between 1 and 336."))
    else:
        colleague = form.cleaned_data["colleague"]
        token, expires = previews.make_token(article, colleague, form.cleaned_data["hours"])
        url = request.build_absolute_uri(reverse("desk:shared", args=[token]))
        messages.success(
            request,
            _("Preview link for %(who)s, valid until %(time)s (only they can open it): %(url)s")
            % {
                "who": colleague.get_full_name() or colleague.get_username(),
                "time": timezone.localtime(expires).strftime("%Y-%m-%d %H:%M %Z"),
                "url": url,
            },
        )
    return redirect("admin:articles_article_change", article.pk)


@never_cache
@login_required(login_url=reverse_lazy("admin:login"))
def shared_preview(request, token):
    """A preview opened from a shared link: only the named colleague, still on the desk's staff (a link outlives
    neither the staff status nor the permission to see stories), logged in, before it expires; not a spiked
    story's."""
    try:
        grant = previews.check_token(token, request.user)
        if not (request.user.is_staff and request.user.has_perm("articles.view_article")):
            raise previews.PreviewLinkRefused(_("This preview link is for the desk's staff."), 403)
        article = get_object_or_404(Article, pk=grant.article_id)
        if article.status == Article.Status.SPIKED:
            raise previews.PreviewLinkRefused(_("The story was spiked: its preview link no longer opens."), 410)
    except previews.PreviewLinkRefused as refused:
        context = {**admin.site.each_context(request), "title": _("Preview link refused"), "reason": str(refused)}
        return render(request, "admin/articles/preview_refused.html", context, status=refused.status)
    return _render_as_public(request, article)


@staff_member_required
@require_POST
def heartbeat(request, pk):
    """The presence heartbeat: note that this user has the article open; answer with who else has."""
    article = _viewable_article(request, pk)
    if request.POST.get("leave"):
        presence.leave(article.pk, request.user)
        return JsonResponse({"others": []})
    return JsonResponse({"others": presence.touch(article.pk, request.user)})
