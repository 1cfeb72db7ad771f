"""The desk side of the article admin: workflow moves, history and diffs, restores and bulk moves.

`ArticleDeskMixin` is mixed into `ArticleAdmin` (articles/admin.py). Every view here only parses the request
and calls articles/workflow.py or articles/editing.py, which decide what is allowed; refusals come back as
admin messages, never tracebacks.
"""

from datetime import timedelta

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from articles import diffs, editing, presence, revisions, workflow
from articles.admin_text import TypedTextForm, within_publishing_years
from articles.models import Author, Correction, Image, LiveUpdate

# How many of a story's live updates the desk panel lists at a time to correct or remove, newest first; older
# ones are a link away (`?live_updates=2` …).
LIVE_UPDATES_LISTED = 20

# How long a story leads the front page, or stays in the breaking-news banner, unless the publisher picks
# another time.
FEATURE_DEFAULT = timedelta(hours=12)
BREAKING_DEFAULT = timedelta(hours=2)


def _optional_pick(model, refusal):
    """A live update's byline (an author) or picture (from the library, with the lead picture's autocomplete): an
    id, or empty for none. A forged id is refused with `refusal`, which says what to do."""
    return forms.ModelChoiceField(
        queryset=model.objects.all(), required=False, error_messages={"invalid_choice": refusal}
    )


_BYLINE_REFUSAL = _("No such author: pick the byline from the list.")
_PICTURE_REFUSAL = _("No such picture: pick one from the library.")


def _form_problems(form):
    """A refused form's errors as one message: they are sentences of their own, and its fields' names (at, kind,
    author) are not the desk's words."""
    return " ".join(" ".join(errors) for errors in form.errors.values())


class MoveForm(TypedTextForm, forms.Form):
    """What a workflow button posts: an optional (sometimes required) note, a time (to schedule a story, or until
    which it leads the front page), a correction kind."""

    note = forms.CharField(required=False, max_length=2000)
    at = forms.DateTimeField(
        required=False, input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"], validators=[within_publishing_years]
    )
    kind = forms.ChoiceField(choices=Correction.Kind.choices, required=False)
    # A live update's optional title and text; their lengths are the workflow's to refuse, with its message.
    title = forms.CharField(required=False)
    text = forms.CharField(required=False)
    author = _optional_pick(Author, _BYLINE_REFUSAL)
    image = _optional_pick(Image, _PICTURE_REFUSAL)

    def arguments(self, move):
        """Keyword arguments for the workflow action `move`, or raise WorkflowError with the problem."""
        if not self.is_valid():
            raise workflow.WorkflowError(_form_problems(self))
        kwargs = {"note": self.cleaned_data["note"]}
        if move == "schedule":
            if not self.cleaned_data["at"]:
                raise workflow.WorkflowError(_("Enter the date and time to publish at."))
            kwargs["at"] = self.cleaned_data["at"]
        if move == "correct":
            kwargs["kind"] = self.cleaned_data["kind"] or Correction.Kind.CORRECTION
        if move == "feature":
            if not self.cleaned_data["at"]:
                raise workflow.WorkflowError(_("Enter the date and time the story leaves the top of the front page."))
            kwargs["until"] = self.cleaned_data["at"]
        if move == "mark_breaking":
            if not self.cleaned_data["at"]:
                raise workflow.WorkflowError(_("Enter the date and time the breaking-news banner ends."))
            kwargs["until"] = self.cleaned_data["at"]
        if move == "post_live_update":
            kwargs["title"], kwargs["text"] = self.cleaned_data["title"], self.cleaned_data["text"]
            kwargs["author"], kwargs["image"] = self.cleaned_data["author"], self.cleaned_data["image"]
        return kwargs


def _live_draft_key(article, update=None):
    """The session key keeping a refused live update's typed title and text until the panel shows them again:
    the new update's, or the correction of `update`'s."""
    return f"desk_live_update_{article.pk}" + (f"_{update.pk}" if update else "")


class LiveUpdateForm(TypedTextForm, forms.Form):
    """What a live update's correction, removal, pin or unpin posts; lengths and emptiness are the workflow's to
    refuse."""

    title = forms.CharField(required=False)
    text = forms.CharField(required=False)
    author = _optional_pick(Author, _BYLINE_REFUSAL)
    image = _optional_pick(Image, _PICTURE_REFUSAL)
    note = forms.CharField(required=False, max_length=2000)

    def arguments(self, move):
        """Keyword arguments for the workflow action `move` (one of the `on_live_update` moves). A correction
        that posts no `author` (or `image`) at all keeps the byline (the picture); an empty one takes it off."""
        if not self.is_valid():
            raise workflow.WorkflowError(_form_problems(self))
        if move in ("remove_live_update", "pin_live_update", "unpin_live_update"):
            return {"note": self.cleaned_data["note"]}
        kwargs = {key: self.cleaned_data[key] for key in ("title", "text", "note")}
        kwargs.update((key, self.cleaned_data[key]) for key in ("author", "image") if key in self.data)
        return kwargs


def _named(model, pk):
    """The author or library picture a refused form named (its id as posted), to show it chosen again; None for
    none or one that is not there (one query, only for a refused form that named one)."""
    return model.objects.filter(pk=pk).first() if pk and str(pk).isdigit() and len(str(pk)) <= 18 else None


def _byline_choice(author, language):
    """What a byline picker shows chosen: the author's id and name as the desk's pickers name them, or None."""
    return {"pk": author.pk, "label": author.desk_label(language)} if author else None


class ArticleDeskMixin:
    """Workflow buttons, audit trail, history, diffs, restores and bulk moves for the article admin."""

    actions = ["submit_selected", "approve_selected", "publish_selected"]

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("<path:object_id>/move/<str:name>/", wrap(self.move_view), name="articles_article_move"),
            path(
                "<path:object_id>/live-update/<id:update_id>/<str:name>/",
                wrap(self.live_update_view),
                name="articles_article_live_update",
            ),
            path("<path:object_id>/history/compare/", wrap(self.compare_view), name="articles_article_compare"),
            path(
                "<path:object_id>/history/<id:number>/restore/",
                wrap(self.restore_view),
                name="articles_article_restore",
            ),
            *super().get_urls(),
        ]

    def _article_or_404(self, request, object_id):
        article = self.get_object(request, unquote(object_id))
        if article is None:
            raise Http404(_("No such article."))
        if not self.has_view_permission(request, article):
            raise PermissionDenied
        return article

    def _change_url(self, article):
        return reverse("admin:articles_article_change", args=[article.pk])

    def move_view(self, request, object_id, name):
        """POST only: make workflow move `name`; the workflow decides whether this user may."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        article = self._article_or_404(request, object_id)
        if name not in workflow.MOVES or workflow.MOVES[name].on_live_update:
            raise Http404(_("No such move."))
        try:
            getattr(workflow, name)(article, by=request.user, **MoveForm(request.POST).arguments(name))
        except workflow.WorkflowError as refused:
            self.message_user(request, str(refused), messages.ERROR)
            if name == "post_live_update" and workflow.may(request.user, workflow.MOVES[name], article):
                # The panel shows the refused update again in its form, so the publisher can fix it.
                keep = ("title", "text", "author", "image")
                request.session[_live_draft_key(article)] = {k: request.POST.get(k, "") for k in keep}
        else:
            article.refresh_from_db()
            self.message_user(
                request,
                _("%(move)s: done. The article is now %(status)s.")
                % {"move": workflow.MOVES[name].label, "status": article.get_status_display().lower()},
                messages.SUCCESS,
            )
        return HttpResponseRedirect(self._change_url(article))

    def live_update_view(self, request, object_id, update_id, name):
        """POST only: correct, remove, pin or unpin live update `update_id` of the story; the workflow decides whether
        this user may. An update of another story is not found here, whatever its id."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        article = self._article_or_404(request, object_id)
        move = workflow.MOVES.get(name)
        if move is None or not move.on_live_update:
            raise Http404(_("No such move."))
        update = LiveUpdate.objects.filter(pk=update_id, article=article).first()
        if update is None:
            raise Http404(_("No such live update on this story."))
        update.article = article
        try:
            getattr(workflow, name)(update, by=request.user, **LiveUpdateForm(request.POST).arguments(name))
        except workflow.WorkflowError as refused:
            self.message_user(request, str(refused), messages.ERROR)
            if name == "edit_live_update" and workflow.may(request.user, move, article):
                # The panel shows the refused correction again in the update's form, so the publisher can fix it.
                keep = ("title", "text", "author", "image", "note")
                request.session[_live_draft_key(article, update)] = {k: request.POST.get(k, "") for k in keep}
        else:
            self.message_user(request, _("%(move)s: done.") % {"move": move.label}, messages.SUCCESS)
        # Back to the page of the panel's list the form was on.
        page = request.POST.get("live_updates", "")
        query = f"?live_updates={page}" if page.isdigit() and page != "1" and len(page) <= 6 else ""
        return HttpResponseRedirect(self._change_url(article) + query + "#desk-live-updates")

    def change_view(self, request, object_id, form_url="", extra_context=None):
        article = self.get_object(request, unquote(object_id))
        if article is not None and self.has_view_or_change_permission(request, article):
            extra_context = {**(extra_context or {}), "desk": self._desk_panel(request, article)}
        return super().change_view(request, object_id, form_url, extra_context)

    def _desk_panel(self, request, article):
        """What the change form shows around the fields: state, moves, trail, corrections, presence, preview."""
        colleagues = get_user_model().objects.filter(is_staff=True, is_active=True).exclude(pk=request.user.pk)
        moves = workflow.available_moves(article, request.user)
        return {
            "article": article,
            "moves": moves,
            "correction_kinds": Correction.Kind.choices,
            "events": article.events.select_related("actor")[:100],
            "corrections": article.corrections.select_related("created_by"),
            "pending": revisions.pending_revision(article),
            "live": editing.is_live(article),
            "others": presence.touch(article.pk, request.user),
            "colleagues": colleagues.order_by("username"),
            "time_zone": timezone.get_current_timezone_name(),
            "now_local": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            # What the front-page move offers: the current time kept, else a working day from now.
            "feature_default": timezone.localtime(
                article.featured_until if article.is_featured else timezone.now() + FEATURE_DEFAULT
            ).strftime("%Y-%m-%dT%H:%M"),
            **self._live_update_forms(request, article, moves),
            "breaking_default": timezone.localtime(timezone.now() + BREAKING_DEFAULT).strftime("%Y-%m-%dT%H:%M"),
            "breaking_latest": timezone.localtime(timezone.now() + workflow.BREAKING_LONGEST).strftime(
                "%Y-%m-%dT%H:%M"
            ),
        }

    def _live_update_forms(self, request, article, moves):
        """What the panel's live-update forms show a user who may post updates (nothing for anyone else): the new
        update's form (`live_draft`: a refused update's words, byline and picture, else the user's own author
        profile as its byline) and the list of updates to correct (`_live_updates_to_correct`). The byline and
        picture pickers search as the reporter types, so the page does not grow with the newsroom's authors."""
        if not any(move.name == "post_live_update" for move in moves):
            return {"live_updates": []}
        language = translation.get_language()
        draft = request.session.pop(_live_draft_key(article), None)
        if draft is None:
            draft = {"author": Author.objects.filter(user=request.user).first()}
        else:
            draft["author"] = _named(Author, draft.get("author"))
        return {
            "live_draft": {
                **draft,
                "author": _byline_choice(draft["author"], language),
                "image": _named(Image, draft.get("image")),
            },
            **self._live_updates_to_correct(request, article, language),
        }

    def _live_updates_to_correct(self, request, article, language):
        """The panel's list of the live updates readers see: `live_updates`, LIVE_UPDATES_LISTED of them newest
        first from the page `?live_updates=` names (the first when it names none or no page there is), each with
        what its correction form shows (a refused correction's words and byline, else the update's own), and the
        numbers of the newer and older pages, if any."""
        if article.last_live_update_at is None:
            return {"live_updates": []}
        number = request.GET.get("live_updates", "")
        number = int(number) if number.isdigit() and len(number) <= 6 and int(number) > 0 else 1
        shown = article.live_updates.shown().select_related("posted_by", "edited_by", "author", "image")
        shown = shown.defer("search_words")
        start = (number - 1) * LIVE_UPDATES_LISTED
        updates = list(shown[start : start + LIVE_UPDATES_LISTED + 1])
        if not updates and number > 1:  # past the oldest (an old link after removals): the first page
            number, start = 1, 0
            updates = list(shown[: LIVE_UPDATES_LISTED + 1])
        older = number + 1 if len(updates) > LIVE_UPDATES_LISTED else None
        updates = updates[:LIVE_UPDATES_LISTED]
        for update in updates:
            draft = request.session.pop(_live_draft_key(article, update), None) or {}
            own = {"title": update.title, "text": update.typed_text, "note": ""}
            author = _named(Author, draft["author"]) if "author" in draft else update.author
            picture = _named(Image, draft["image"]) if "image" in draft else update.image
            update.draft = {**own, **draft, "author": _byline_choice(author, language), "image": picture}
            update.refused = bool(draft)
        return {
            "live_updates": updates,
            "live_updates_page": number,
            "live_updates_newer": number - 1 or None,
            "live_updates_older": older,
        }

    def history_view(self, request, object_id, extra_context=None):
        """Every revision (who, when, state) with a picker to compare any two, and the audit trail."""
        article = self._article_or_404(request, object_id)
        context = {
            **self.admin_site.each_context(request),
            "title": _("History: %(headline)s") % {"headline": article.headline},
            "opts": self.opts,
            "article": article,
            "revisions": article.revisions.select_related("created_by"),
            "events": article.events.select_related("actor"),
            "can_restore": self.has_change_permission(request, article),
        }
        return TemplateResponse(request, "admin/articles/article/revision_history.html", context)

    def compare_view(self, request, object_id):
        """A field-by-field, word-by-word comparison of two revisions (?from=N&to=M)."""
        article = self._article_or_404(request, object_id)
        # A version number as posted, or None: digits, and few enough for the column (a longer one is no version).
        numbers = [n if n.isdigit() and len(n) <= 9 else None for n in (request.GET.get(k, "") for k in ("from", "to"))]
        chosen = article.revisions.filter(number__in=[int(n) for n in numbers if n]).select_related("created_by")
        found = {r.number: r for r in chosen}
        old, new = (found.get(int(n)) if n else None for n in numbers)
        if old is None or new is None:
            self.message_user(request, _("Choose two versions of this article to compare."), messages.ERROR)
            return HttpResponseRedirect(reverse("admin:articles_article_history", args=[article.pk]))
        context = {
            **self.admin_site.each_context(request),
            "title": _("Version %(old)s → version %(new)s") % {"old": old.number, "new": new.number},
            "opts": self.opts,
            "article": article,
            "old": old,
            "new": new,
            "changes": diffs.compare(old.content, new.content),
            "can_restore": self.has_change_permission(request, article),
        }
        return TemplateResponse(request, "admin/articles/article/compare.html", context)

    def restore_view(self, request, object_id, number):
        """POST only: bring back revision `number` as a new revision."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        article = self._article_or_404(request, object_id)
        try:
            result = editing.restore_revision(article.pk, number, by=request.user)
        except editing.EditRefused as refused:
            self.message_user(request, str(refused), messages.ERROR)
            return HttpResponseRedirect(reverse("admin:articles_article_history", args=[article.pk]))
        message = _("Version %(old)s restored as version %(new)s.") % {"old": number, "new": result.revision.number}
        if result.pending:
            message += " " + _("It is a pending update: readers see it after “Publish update”.")
        self.message_user(request, message, messages.SUCCESS)
        return HttpResponseRedirect(self._change_url(article))

    def _bulk(self, request, queryset, name):
        """Make move `name` on each selected article; report per article what was done and what was refused."""
        done, refused = [], []
        for article in queryset:
            try:
                getattr(workflow, name)(article, by=request.user)
            except workflow.WorkflowError as error:
                refused.append((article, error))
            else:
                done.append(article)
        label = workflow.MOVES[name].label
        if done:
            titles = "; ".join(f"“{a.headline}”" for a in done)
            message = _("%(move)s: %(count)s done: %(titles)s")
            self.message_user(
                request, message % {"move": label, "count": len(done), "titles": titles}, messages.SUCCESS
            )
        for article, error in refused:
            message = _("%(move)s: “%(headline)s” refused: %(reason)s")
            self.message_user(
                request, message % {"move": label, "headline": article.headline, "reason": error}, messages.ERROR
            )

    @admin.action(description=_("Submit selected articles for editing"), permissions=["submit"])
    def submit_selected(self, request, queryset):
        self._bulk(request, queryset, "submit")

    @admin.action(description=_("Approve selected articles"), permissions=["approve"])
    def approve_selected(self, request, queryset):
        self._bulk(request, queryset, "approve")

    @admin.action(description=_("Publish selected articles now"), permissions=["publish"])
    def publish_selected(self, request, queryset):
        self._bulk(request, queryset, "publish")

    def has_submit_permission(self, request):
        return request.user.has_perm("articles.submit_article")

    def has_approve_permission(self, request):
        return request.user.has_perm("articles.approve_article")

    def has_publish_permission(self, request):
        return request.user.has_perm("articles.publish_article")
