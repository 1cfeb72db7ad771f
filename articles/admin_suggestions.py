"""The desk's tag suggestions: the tagger's findings shown under an article's change form, one click each, and
the dateline a pasted wire story opens with ("BAGHOUZ, Syria (AFP) - …"), accepted as an edit
(`editing.give_dateline`: a revision, a pending update on a live story, never over a dateline already picked) or
rejected (`editing.decline_dateline`: remembered for the story, no revision).

Self-contained on purpose (ArticleAdmin is not touched): the change-form template includes
`admin/articles/article/tag_suggestions.html`, the `tag_suggestions` template tag computes the list, and
the view below records the editor's decision through `articles.tagging` and returns to the form. In the Arabic
admin a suggestion, and the message after deciding on it, names the entry as the form's pickers do
(`desk_label`).
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_protect

from articles import editing, tagging
from articles.models import Actor, Article, Region


@csrf_protect
def decide_suggestion(request, pk):
    """POST kind=region|actor, entry=<id>, decision=accept|reject; then back to the article's form."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    article = get_object_or_404(Article, pk=pk)
    if not admin.site.get_model_admin(Article).has_change_permission(request, article):
        raise PermissionDenied
    kind, decision, entry_id = request.POST.get("kind"), request.POST.get("decision"), request.POST.get("entry", "")
    if kind == "dateline":
        _decide_dateline(request, article, decision, entry_id, request.POST.get("version", ""))
        return redirect(reverse("admin:articles_article_change", args=[article.pk]))
    model = {"region": Region, "actor": Actor}.get(kind)
    accept = decision == "accept" and request.POST.get("version", "").isdigit()
    if model is None or not (accept or decision == "reject") or not entry_id.isdigit():
        messages.error(request, _("That suggestion could not be understood; nothing was changed."))
    elif not model.objects.filter(pk=entry_id).exists():
        messages.error(request, _("That entry no longer exists; nothing was changed."))
    elif accept:
        _accept_tag(request, article, model.objects.get(pk=entry_id), int(request.POST["version"]))
    else:
        entry = tagging.reject_suggestion(article, kind, int(entry_id), by=request.user)
        label = entry.desk_label(get_language())
        messages.info(request, _("%(entry)s will not be suggested for this article again.") % {"entry": label})
    return redirect(reverse("admin:articles_article_change", args=[article.pk]))


def _accept_tag(request, article, entry, version):
    """Tag the story with `entry` as an edit over the form's `version` (a pending update on a live story)."""
    label = entry.desk_label(get_language())
    _report_edit(
        request,
        lambda: editing.give_tag(article.pk, entry, by=request.user, base_version=version),
        _("The form now shows their version; accept the suggestion again if it still applies."),
        _("Tagged with %(entry)s.") % {"entry": label},
    )


def _report_edit(request, edit, stale_advice, done):
    """Run `edit` (an accept, saved by `editing` as an edit) and say how it went: refused, over a stale form
    (`stale_advice`), waiting in the pending update of a live story, or `done`."""
    try:
        result = edit()
    except editing.StaleEdit as stale:
        messages.error(request, editing.stale_message(stale.latest, stale.base_version, stale_advice))
    except editing.EditRefused as refused:
        messages.error(request, str(refused))
    else:
        if result is not None and result.pending:
            messages.warning(request, editing.pending_notice(result.revision))
        else:
            messages.success(request, done)


def _decide_dateline(request, article, decision, entry_id, version):
    """Accept the suggested dateline (an edit over the form's `version`), or reject it (remembered for the story:
    never suggested again, nor given by an import or a re-tagging run)."""
    accept = decision == "accept" and version.isdigit()
    if not (accept or decision == "reject") or not entry_id.isdigit():
        messages.error(request, _("That suggestion could not be understood; nothing was changed."))
        return
    place = Region.objects.filter(pk=entry_id).first()
    if place is None:
        messages.error(request, _("That entry no longer exists; nothing was changed."))
        return
    label = place.desk_label(get_language())
    if not accept:
        try:
            editing.decline_dateline(article.pk, place, by=request.user)
        except editing.EditRefused as refused:
            messages.error(request, str(refused))
            return
        message = _("%(entry)s will not be suggested as this article's dateline again.")
        messages.info(request, message % {"entry": label})
        return
    _report_edit(
        request,
        lambda: editing.give_dateline(article.pk, place, by=request.user, base_version=int(version)),
        _("The form now shows their version; accept the dateline again if it still applies."),
        _("Dateline set to %(entry)s.") % {"entry": label},
    )


urlpatterns = [
    path(
        "<id:pk>/tag-suggestions/",
        admin.site.admin_view(decide_suggestion),
        name="article_tag_suggestions",
    ),
]
