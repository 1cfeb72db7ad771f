"""Public pages. Every one starts from `Article.objects.published()`."""

from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render

from articles.models import Actor, Article, Author, Region, Section

PAGE_SIZE = 20


def _article_list(request, articles, context, template="articles/article_list.html"):
    page = Paginator(articles.with_list_relations(), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, template, {**context, "page": page, "articles": page.object_list})


def home(request):
    """The latest public stories."""
    return _article_list(request, Article.objects.published(), {"title": None})


def article_detail(request, pk, slug):
    """One public story; an out-of-date slug redirects to the current address."""
    article = get_object_or_404(
        Article.objects.published()
        .select_related("section", "dateline_place")
        .prefetch_related("regions", "actors", "authors"),
        pk=pk,
    )
    if slug != article.slug:
        return redirect(article, permanent=True)
    return render(request, "articles/article_detail.html", {"article": article})


def section_detail(request, slug):
    """Stories filed in a section and its subsections."""
    section = get_object_or_404(Section, slug=slug)
    return _article_list(request, Article.objects.published().in_section(section), {"title": str(section)})


def region_detail(request, slug):
    """Stories about a place or anywhere inside it."""
    region = get_object_or_404(Region, slug=slug)
    return _article_list(
        request, Article.objects.published().for_region(region), {"title": region.name, "entry": region}
    )


def actor_detail(request, slug):
    """Stories about a person, group or institution."""
    actor = get_object_or_404(Actor, slug=slug)
    return _article_list(request, Article.objects.published().for_actor(actor), {"title": actor.name, "entry": actor})


def author_detail(request, slug):
    """Stories by one author."""
    author = get_object_or_404(Author, slug=slug)
    return _article_list(
        request, Article.objects.published().filter(authors=author), {"title": author.display_name, "entry": author}
    )
