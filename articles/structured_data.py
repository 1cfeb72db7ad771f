"""What the pages tell machines: schema.org JSON-LD, Open Graph and Twitter cards.

A story page carries a NewsArticle (or the subtype its type of work has, such as OpinionNewsArticle), built
from what the article view has already loaded (authors, regions, actors, section), so it costs no query of its
own; a story with live updates is a LiveBlogPosting listing the updates its page shows (the same query).
The other pages describe the site (home), a section, a place, an actor or an author, with the breadcrumb
trail down to it, from what their views loaded, and carry Open Graph and Twitter "summary" cards for sharing.
"""

import html
import json
import re
from urllib.parse import quote

from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext

from articles.addresses import public_url
from articles.images import JSONLD_SPECS, PROFILE_SPEC, get_rendition
from articles.models import Article, name_in, text_in
from articles.models.fields import plain_text
from newsroom.brand import PNG_SIZES

_FIRST_IMAGE = re.compile(r"<img\b[^>]*\bsrc=\"([^\"]+)\"", re.IGNORECASE)


def _iso(moment):
    """ISO 8601 with the newsroom's UTC offset, e.g. 2026-03-01T09:30:00+03:00."""
    return timezone.localtime(moment).isoformat(timespec="seconds") if moment else None


SOCIAL_SPEC = JSONLD_SPECS[0]  # the 16:9 crop, 1200 wide: what Open Graph and Twitter cards display best


def site_addresses(request):
    """A function giving `request.build_absolute_uri(path)` for a path of the site's own (`get_absolute_url`,
    percent-encoded already): the scheme and host are worked out once, not for each of a page's dozen links."""
    root = f"{request.scheme}://{request.get_host()}"

    def absolute(path):
        # Django's shortcut for a plain absolute path, which the site's addresses are; anything else (and
        # a "." or ".." segment) goes through Django. Encoded paths are left as they are by its iri_to_uri.
        if path.startswith("/") and not path.startswith("//") and "/./" not in path and "/../" not in path:
            return root + path
        return request.build_absolute_uri(path)

    return absolute


def publisher(name, absolute):
    """The schema.org Organization publishing the site: its name, home page and logo (the site's 512-pixel
    icon, newsroom/brand.py), with `absolute` from `site_addresses`."""
    size = PNG_SIZES["icon-512.png"]
    return {
        "@type": "Organization",
        "name": name,
        "url": absolute("/"),
        "logo": {"@type": "ImageObject", "url": absolute("/icon-512.png"), "width": size, "height": size},
    }


def lead_image(article, request):
    """The absolute URL of the story's picture for previews: its lead picture's 16:9 crop, else the first
    image in the body, else None."""
    if article.lead_image_id:
        return request.build_absolute_uri(get_rendition(article.lead_image, SOCIAL_SPEC).url)
    found = _FIRST_IMAGE.search(article.body or "")
    return request.build_absolute_uri(found.group(1)) if found else None


def lead_images(article, request):
    """Absolute URLs for schema.org `image`: the lead picture's 16:9, 4:3 and 1:1 crops, else the body's first."""
    if article.lead_image_id:
        return [request.build_absolute_uri(url) for url in article.lead_image.jsonld_urls()]
    image = lead_image(article, request)
    return [image] if image else []


def description(article):
    """A plain-text summary for previews: the standfirst, else the start of the body."""
    text = article.standfirst or article.text
    return (text[:297] + "…") if len(text) > 300 else text


def _entity(entry, absolute, kind, language="en"):
    """A place, actor, section or author as a schema.org thing of `kind`, named as a page in `language` names it."""
    return {"@type": kind, **_names(entry, language), "url": absolute(entry.get_absolute_url())}


def _person(author, absolute, language):
    """An author as a schema.org Person, with the job title the edition in `language` prints (if any)."""
    person = _entity(author, absolute, "Person", language)
    job_title = text_in(author, "job_title", language).text
    if job_title:
        person["jobTitle"] = job_title
    return person


def _actor_type(actor):
    return "Person" if actor.kind == actor.Kind.PERSON else "Organization"


# schema.org's NewsArticle subtypes for the types of work that have one: an explainer is its "backgrounder"
# (BackgroundNewsArticle). Interviews have no subtype of their own, so they stay NewsArticle, as news does.
SCHEMA_TYPES = {
    Article.Genre.ANALYSIS: "AnalysisNewsArticle",
    Article.Genre.OPINION: "OpinionNewsArticle",
    Article.Genre.EXPLAINER: "BackgroundNewsArticle",
}


def news_article(article, request, publisher_name):
    """The schema.org NewsArticle of `article` as a dict (ready for json.dumps): of the subtype its type of work
    has (OpinionNewsArticle, AnalysisNewsArticle, BackgroundNewsArticle), else NewsArticle itself."""
    absolute = site_addresses(request)
    url = absolute(article.get_absolute_url())
    published, modified = article.published_time, article.modified_time
    # Named as the byline prints them: the page is in the story's language (its edition, or the desk's preview).
    authors = [_person(a, absolute, article.language) for a in article.authors.all()]
    if not authors and (article.byline or article.credit):
        authors = [{"@type": "Organization", "name": article.byline or article.credit}]
    # Named in the story's language (an Arabic story's places by their Arabic names), the other as alternateName.
    regions = [_entity(r, absolute, "Place", article.language) for r in article.regions.all()]
    actors = [_entity(a, absolute, _actor_type(a), article.language) for a in article.actors.all()]
    data = {
        "@context": "https://schema.org",
        "@type": SCHEMA_TYPES.get(article.genre, "NewsArticle"),
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        "url": url,
        "headline": article.headline[:110],
        "description": description(article),
        "inLanguage": article.language,
        "datePublished": _iso(published),
        "dateModified": _iso(modified),
        "author": authors,
        "publisher": publisher(publisher_name, absolute),
        "wordCount": article.word_count,
        "isAccessibleForFree": True,
    }
    images = lead_images(article, request)
    if images:
        data["image"] = images
    if article.section:
        data["articleSection"] = name_in(article.section, article.language)
    if article.dateline_place:
        data["contentLocation"] = _entity(article.dateline_place, absolute, "Place", article.language)
    # The places and actors the story is about; actors named in it but not its subject would be "mentions",
    # and the tags do not tell the two apart, so places are "about" and actors are "mentions".
    if regions:
        data["about"] = regions
    if actors:
        data["mentions"] = actors
    if article.newest_live_updates:
        data.update(_live_blog(article, url, absolute))
    return data


def _live_blog(article, url, absolute):
    """What makes a story with live updates a schema.org LiveBlogPosting: since when it is covered, until when
    once it is no longer live (`Article.is_live`: its newest update is its last), and its updates (the ones its
    page lists, newest first) as BlogPostings, each at its anchor on the page."""
    blog = {"@type": "LiveBlogPosting", "coverageStartTime": _iso(article.published_time)}
    if article.live_ended:
        blog["coverageEndTime"] = _iso(article.live_ended_at)
    elif not article.is_live:
        blog["coverageEndTime"] = _iso(article.last_live_update_at)
    updates = article.newest_live_updates
    blog["liveBlogUpdate"] = [_blog_posting(update, url, absolute, article.language) for update in updates]
    return blog


def _blog_posting(update, url, absolute, language):
    """One live update as a BlogPosting at its anchor on the page, by its byline's Person (named as the page in
    `language` names them) and with its picture's crops when it has them; a corrected one says when it was
    corrected."""
    posting = {
        "@type": "BlogPosting",
        "headline": update.headline[:110],
        "datePublished": _iso(update.posted_at),
        "articleBody": plain_text(update.text),
        "url": f"{url}#update-{update.pk}",
    }
    if update.author_id:
        posting["author"] = _person(update.author, absolute, language)
    if update.image_id:
        posting["image"] = [absolute(address) for address in update.image.jsonld_urls()]
    if update.edited_at:
        posting["dateModified"] = _iso(update.edited_at)
    return posting


def social_tags(article, request, site_name):
    """Open Graph and Twitter card meta tags as (attribute, name, content) triples, in display order."""
    absolute = site_addresses(request)
    url = absolute(article.get_absolute_url())
    image = lead_image(article, request)
    summary = description(article)  # the start of the body when there is no standfirst: made once
    locale = "ar_AR" if article.language == "ar" else "en_GB"
    tags = [
        ("property", "og:type", "article"),
        ("property", "og:site_name", site_name),
        ("property", "og:title", article.headline),
        ("property", "og:description", summary),
        ("property", "og:url", url),
        ("property", "og:locale", locale),
    ]
    if image:
        tags.append(("property", "og:image", image))
        tags += _picture_details(article)
    tags += [
        ("property", "article:published_time", _iso(article.published_time)),
        ("property", "article:modified_time", _iso(article.modified_time)),
    ]
    if article.section:
        tags.append(("property", "article:section", name_in(article.section, article.language)))
    for author in article.authors.all():
        tags.append(("property", "article:author", absolute(author.get_absolute_url())))
    for entry in [*article.regions.all(), *article.actors.all()]:
        tags.append(("property", "article:tag", name_in(entry, article.language)))
    tags += [
        ("name", "twitter:card", "summary_large_image" if image else "summary"),
        ("name", "twitter:title", article.headline),
        ("name", "twitter:description", summary),
    ]
    if image:
        tags.append(("name", "twitter:image", image))
        if article.lead_image_id and article.lead_image.alt:
            tags.append(("name", "twitter:image:alt", article.lead_image.alt))
    return tags


# Where a reader can pass a story on: each service's own share address, as a plain link. No script, no
# button image and no request to any of them until the reader follows one (so no tracking either).
# WhatsApp and Telegram first: most sharing of news in Iraq and Syria happens there.
SHARE_SERVICES = (
    ("WhatsApp", "https://wa.me/?text={text}%20{url}"),
    ("Telegram", "https://t.me/share/url?url={url}&text={text}"),
    ("X", "https://x.com/intent/post?url={url}&text={text}"),
    ("Facebook", "https://www.facebook.com/sharer/sharer.php?u={url}"),
)


def share_links(article, request):
    """(label, address) pairs for sharing the story: the services above, then e-mail."""
    url = quote(site_addresses(request)(article.get_absolute_url()), safe="")
    text = quote(article.headline, safe="")
    links = [(name, address.format(url=url, text=text)) for name, address in SHARE_SERVICES]
    links.append((gettext("Email"), f"mailto:?subject={text}&body={url}"))
    return links


def json_ld_element(article, request, site_name):
    """A <script type="application/ld+json"> element with the story's NewsArticle description."""
    return json_ld_script(news_article(article, request, site_name))


def json_ld_script(data):
    """`data` as a <script type="application/ld+json"> element."""
    # json.dumps escapes nothing HTML cares about; escaping <, > and & keeps "</script>" in a headline harmless.
    text = json.dumps(data, ensure_ascii=False).replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return mark_safe(f'<script type="application/ld+json">{text}</script>')  # noqa: S308


def social_meta_elements(article, request, site_name):
    """Open Graph (og:*, article:*) and Twitter card tags for the story, one <meta> per line."""
    return meta_elements(social_tags(article, request, site_name))


def meta_elements(tags):
    """(attribute, name, content) triples as <meta> elements, one per line; a tag with a fourth item, a language,
    says that its content is in that language (`lang`), not the page's."""
    # Built here rather than in a template loop: some 25 tags on every story page. Attributes and names are this
    # module's own words; html.escape is what Django's escape (format_html's) does, without its lazy wrapper.
    lines = [
        f'<meta {attribute}="{name}" content="{html.escape(str(content))}"{_lang(language)}>\n'
        for attribute, name, content, *language in tags
    ]
    return mark_safe("".join(lines) + "\n")  # noqa: S308


def _lang(language):
    return f' lang="{html.escape(language[0])}"' if language else ""


def _picture_details(article):
    """og:image size, type and alt text of the lead picture's social crop (none for a body image)."""
    if not article.lead_image_id:
        return []
    rendition = get_rendition(article.lead_image, SOCIAL_SPEC)
    details = [
        ("property", "og:image:type", rendition.mime_type),
        ("property", "og:image:width", str(rendition.width)),
        ("property", "og:image:height", str(rendition.height)),
    ]
    if article.lead_image.alt:
        details.append(("property", "og:image:alt", article.lead_image.alt))
    return details


# The pages that list stories: the site's front page, a section, a place, an actor, an author.


def page_social_tags(request, site_name, language, title, summary, summary_language="", image=None):
    """Open Graph and Twitter card tags for a page that is not a story (a "website" with a "summary" card).

    `summary_language` is the summary's language when it is not the page's (an Arabic page's English
    description): its tags then carry it as a fourth item, their `lang`. `image` is a library picture the page
    is shown by (an author's photo): its square crop, which a "summary" card displays as it is."""
    url = request.build_absolute_uri()  # as its canonical link (a later page of a list is its own address)
    own = (summary_language,) if summary_language else ()
    tags = [
        ("property", "og:type", "website"),
        ("property", "og:site_name", site_name),
        ("property", "og:title", title),
        ("property", "og:description", summary, *own),
        ("property", "og:url", url),
        ("property", "og:locale", "ar_AR" if language == "ar" else "en_GB"),
    ]
    picture = get_rendition(image, PROFILE_SPEC) if image else None
    if picture:
        tags += [
            ("property", "og:image", request.build_absolute_uri(picture.url)),
            ("property", "og:image:type", picture.mime_type),
            ("property", "og:image:width", str(picture.width)),
            ("property", "og:image:height", str(picture.height)),
        ]
        if image.alt:
            tags.append(("property", "og:image:alt", image.alt))
    tags += [
        ("name", "twitter:card", "summary"),
        ("name", "twitter:title", title),
        ("name", "twitter:description", summary, *own),
    ]
    if picture:
        tags.append(("name", "twitter:image", request.build_absolute_uri(picture.url)))
        if image.alt:
            tags.append(("name", "twitter:image:alt", image.alt))
    return tags


def website(request, site_name, language):
    """The front page's schema.org WebSite: the edition, its publisher and how to search it."""
    absolute = site_addresses(request)
    search = absolute(public_url("search", language))
    return {
        "@context": "https://schema.org",
        "@type": "WebSite",
        "name": site_name,
        "url": absolute(public_url("home", language)),
        "inLanguage": language,
        "publisher": publisher(site_name, absolute),
        "potentialAction": {
            "@type": "SearchAction",
            "target": {"@type": "EntryPoint", "urlTemplate": f"{search}?q={{search_term_string}}"},
            "query-input": "required name=search_term_string",
        },
    }


def _names(entry, language):
    """The entry's name as the page prints it (Arabic on Arabic pages when it has one), the other one as
    alternateName."""
    name = name_in(entry, language)
    other = entry.name if name != entry.name else entry.name_ar
    return {"name": name, "alternateName": other} if other else {"name": name}


def _crumb(entry, language):
    """A section, place, actor or author as a step of a breadcrumb trail: (name as the page prints it, path)."""
    return _names(entry, language)["name"], entry.get_absolute_url()


def _list_page(request, site_name, language, trail, page_type="CollectionPage"):
    """A schema.org page listing stories, with the breadcrumb trail from the front page down to it.

    `trail` is (name, path) pairs from the top of the hierarchy down to the page itself."""
    absolute = site_addresses(request)
    home = absolute(public_url("home", language))
    crumbs = [(site_name, home)] + [(name, absolute(path)) for name, path in trail]
    name, url = crumbs[-1]
    return {
        "@context": "https://schema.org",
        "@type": page_type,
        "name": name,
        "url": url,
        "inLanguage": language,
        "isPartOf": {"@type": "WebSite", "name": site_name, "url": home},
        "breadcrumb": {
            "@type": "BreadcrumbList",
            "itemListElement": [
                {"@type": "ListItem", "position": position, "name": name, "item": address}
                for position, (name, address) in enumerate(crumbs, start=1)
            ],
        },
    }


def section_page(request, site_name, language, section):
    """A section's CollectionPage (Home > parent section > section), with its description."""
    trail = [_crumb(section.parent, language)] if section.parent_id else []
    data = _list_page(request, site_name, language, [*trail, _crumb(section, language)])
    _describe(data, section, "description", language)
    return data


def place_page(request, site_name, language, region, ancestors):
    """A place's CollectionPage about the Place, with its description, its coordinates and the place it lies in;
    the trail runs down the place's parents (Home > Syria > Deir ez-Zor Governorate > Baghouz)."""
    trail = [_crumb(place, language) for place in [*ancestors, region]]
    data = _list_page(request, site_name, language, trail)
    absolute = site_addresses(request)
    place = _entity(region, absolute, "Place", language)
    if region.latitude is not None and region.longitude is not None:
        place["geo"] = {
            "@type": "GeoCoordinates",
            "latitude": float(region.latitude),
            "longitude": float(region.longitude),
        }
    if ancestors:
        place["containedInPlace"] = _entity(ancestors[-1], absolute, "Place", language)
    _describe(place, region, "description", language)
    data["about"] = place
    return data


def actor_page(request, site_name, language, actor):
    """An actor's CollectionPage about the Person or Organization, with its description."""
    data = _list_page(request, site_name, language, [_crumb(actor, language)])
    data["about"] = _entity(actor, site_addresses(request), _actor_type(actor), language)
    _describe(data["about"], actor, "description", language)
    return data


def archive_page(request, site_name, language, trail):
    """A page of the archive by date: a CollectionPage whose breadcrumb runs Home > Archive > month > day;
    `trail` is the (name, path) pairs from the archive down to the page, as the page prints them."""
    return _list_page(request, site_name, language, [(str(name), path) for name, path in trail])


def author_page(request, site_name, language, author):
    """An author's ProfilePage, whose main entity is the Person: their bio and job title (the page's language,
    else the English), the square crop of their photo, and their public profiles as `sameAs` (not e-mail)."""
    data = _list_page(request, site_name, language, [_crumb(author, language)], page_type="ProfilePage")
    person = data["mainEntity"] = _person(author, site_addresses(request), language)
    _describe(person, author, "bio", language)
    if author.photo_id:
        person["image"] = request.build_absolute_uri(get_rendition(author.photo, PROFILE_SPEC).url)
    same_as = [link.address for link in author.profiles if not link.is_email]
    if same_as:
        person["sameAs"] = same_as
    return data


def _describe(thing, entry, field, language):
    """Give `thing` the entry's description or bio (`field`) as the page prints it, if it has one.

    A plain string, like every other text here: the page's `inLanguage` is the edition's, and an English text on
    an Arabic page is not tagged with its own (a JSON-LD value object, which search engines' readers of
    schema.org do not all take for the Text that `description` is)."""
    text = text_in(entry, field, language).text
    if text:
        thing["description"] = text
