"""Where pictures are used, what a story needs from its pictures before it goes public, and who may do what.

A story uses a picture as its lead image (`Article.lead_image`) or inline in its body, where the editor
inserts a rendition's address (`…/images/renditions/<content hash>/…`) or an `<img data-image-id>`.
"""

import re

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from articles.models import Article, Image, Rendition

# A library picture in a body: one of its renditions, its original file (named by its content hash) or its id.
INLINE_REFERENCE = re.compile(
    r"images/(?:renditions/([0-9a-f]{64})/|originals/([0-9a-f]{64})\.)|data-image-id=\"(\d+)\""
)
_IMG_SOURCE = re.compile(r"<img\b[^>]*?\bsrc=\"([^\"]*)\"", re.IGNORECASE)


def inline_references(body):
    """The (content hashes, ids) of the library pictures shown in a story body."""
    hashes, ids = set(), set()
    for rendition_hash, original_hash, pk in INLINE_REFERENCE.findall(body or ""):
        if pk:
            ids.add(int(pk))
        else:
            hashes.add(rendition_hash or original_hash)
    return hashes, ids


def foreign_pictures(body):
    """The addresses of the pictures in `body` that are not the library's (another site's): readers' browsers
    would not load them (the pages' Content-Security-Policy), and nobody checked their credit."""
    media = settings.MEDIA_URL
    return [src for src in _IMG_SOURCE.findall(body or "") if not src.startswith(media)]


def inline_images(body):
    """The library pictures shown in `body`, and how many references point at no picture (deleted ones)."""
    hashes, ids = inline_references(body)
    if not hashes and not ids:
        return [], 0
    found = list(Image.objects.filter(Q(content_hash__in=hashes) | Q(pk__in=ids)))
    known = {i.content_hash for i in found} | {i.pk for i in found}
    missing = len([h for h in hashes if h not in known]) + len([i for i in ids if i not in known])
    return found, missing


def _inline(image):
    original = Q(body__contains=f"images/originals/{image.content_hash}.")
    return Q(body__contains=image.rendition_folder) | original | Q(body__contains=f'data-image-id="{image.pk}"')


def articles_showing_inline(image):
    """Articles whose body shows `image`."""
    return Article.objects.filter(_inline(image))


def articles_using(image):
    """Articles that show `image`, as their lead picture, inline in the body or with a live update readers see."""
    updates = image.live_updates.shown().values("article_id")
    return Article.objects.filter(Q(lead_image=image) | Q(pk__in=updates) | _inline(image))


def picture_problems(image, where):
    """Why `image` may not go public (`where`: how the sentences name it), as sentences; [] when it may."""
    problems = []
    if not image.credit.strip():
        problems.append(_("%(where)s “%(title)s” has no credit.") % {"where": where, "title": image.title})
    if not image.copyright_holder.strip():
        problems.append(_("%(where)s “%(title)s” has no copyright holder.") % {"where": where, "title": image.title})
    if not image.decorative and not image.alt_text.strip():
        problems.append(
            _("%(where)s “%(title)s” has no alt text (describe it, or mark it decorative).")
            % {"where": where, "title": image.title}
        )
    return problems


def publication_problems(article):
    """Sentences saying why `article`'s pictures may not go public yet; an empty list when they may.

    Every picture a published story shows needs a credit and a copyright holder, and alt text unless it
    is decorative; a body may not point at a picture that is no longer in the library.
    """
    problems = []
    if article.lead_image_id:
        problems += picture_problems(article.lead_image, _("The lead picture"))
    pictures, missing = inline_images(article.body)
    for image in pictures:
        if image.pk != article.lead_image_id:
            problems += picture_problems(image, _("The picture in the body"))
    if missing:
        problems.append(_("The body shows a picture that is no longer in the library; remove it or pick another."))
    for address in foreign_pictures(article.body):
        problems.append(
            _("The body shows a picture from outside the library (%(address)s); add it to the library first.")
            % {"address": address[:80]}
        )
    return problems


def may_change_image(user, image):
    """True when `user` may edit `image`'s words and focal point (their own uploads, or any with change_any_image)."""
    if not user.is_active or not user.has_perm("articles.change_image"):
        return False
    if image is None or user.has_perm("articles.change_any_image"):
        return True
    return image.uploaded_by_id == user.pk


def delete_images(images):
    """Delete `images` (a queryset or list) with their renditions; their files go once the transaction commits.

    Pictures still used by a story are protected by the database (lead images) and by the admin, which
    lists inline uses as protected before it calls this.
    """
    ids = [image.pk for image in images]
    names = list(Image.objects.filter(pk__in=ids).values_list("file", flat=True))
    names += list(Rendition.objects.filter(image__in=ids).values_list("file", flat=True))
    with transaction.atomic():
        Image.objects.filter(pk__in=ids).delete()
    storage = Image._meta.get_field("file").storage
    transaction.on_commit(lambda: [storage.delete(name) for name in names if name])
