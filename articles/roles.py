"""The newsroom's roles as Django groups, and the permissions each one holds.

`ensure_roles()` creates or updates the four groups idempotently; `make run` and the tests call it.
Rules are enforced where they act (articles/workflow.py and the admin's permission checks); the
groups only say who holds which permission.
"""

from django.contrib.auth.models import Group, Permission
from django.db import transaction

REPORTER, EDITOR, PUBLISHER, ADMIN = "Reporter", "Editor", "Publisher", "Admin"

_READ_VOCABULARIES = [
    "articles.view_section",
    "articles.view_region",
    "articles.view_actor",
    "articles.view_author",
    "articles.view_regionalias",
    "articles.view_actoralias",
]
# Pictures: everyone in the newsroom uploads (reporters file their own photos) and picks from the library;
# a reporter edits the words and focal point of their own uploads only; editors and publishers, the photo
# desk, edit any picture and delete unused ones (a picture a story shows is protected); Admin holds all.
_PICTURES = ["articles.add_image", "articles.change_image", "articles.view_image"]
_PHOTO_DESK = ["articles.change_any_image", "articles.delete_image"]
_REPORTER = [
    "articles.add_article",
    "articles.change_article",
    "articles.view_article",
    "articles.submit_article",
    *_READ_VOCABULARIES,
    *_PICTURES,
]
_EDITOR = [
    *_REPORTER,
    "articles.change_any_article",
    "articles.send_back_article",
    "articles.approve_article",
    "articles.spike_article",
    *_PHOTO_DESK,
]
_PUBLISHER = [
    *_EDITOR,
    "articles.schedule_article",
    "articles.publish_article",
    "articles.unpublish_article",
    "articles.correct_article",
    # What leads the front page is decided by those who put stories live.
    "articles.feature_article",
    # A live update goes to readers at once, like a published story: it is a publisher's move. Correcting or
    # removing one (workflow.edit_live_update, remove_live_update) takes the same permission, so existing
    # installations need no new permission (nor a rerun of setup_roles) for it.
    "articles.post_live_update",
]

ROLE_PERMISSIONS = {REPORTER: _REPORTER, EDITOR: _EDITOR, PUBLISHER: _PUBLISHER}
ROLES = (REPORTER, EDITOR, PUBLISHER, ADMIN)


def _permissions(codes):
    wanted = {tuple(code.split(".", 1)) for code in codes}
    found = Permission.objects.filter(content_type__app_label__in={a for a, _ in wanted}).select_related("content_type")
    perms = [p for p in found if (p.content_type.app_label, p.codename) in wanted]
    missing = wanted - {(p.content_type.app_label, p.codename) for p in perms}
    if missing:
        raise LookupError(f"Permissions not found (run migrate first): {sorted(missing)}")
    return perms


@transaction.atomic
def ensure_roles():
    """Create the Reporter, Editor, Publisher and Admin groups with exactly their permissions.

    Admin holds every permission of the newsroom and of user management. Returns the groups by name.
    """
    groups = {}
    for name, codes in ROLE_PERMISSIONS.items():
        groups[name], _ = Group.objects.get_or_create(name=name)
        groups[name].permissions.set(_permissions(codes))
    groups[ADMIN], _ = Group.objects.get_or_create(name=ADMIN)
    groups[ADMIN].permissions.set(Permission.objects.filter(content_type__app_label__in=["articles", "auth", "taggit"]))
    return groups
