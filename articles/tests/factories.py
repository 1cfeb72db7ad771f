"""factory_boy factories for the newsroom's models (real rows in the test database)."""

import factory
from django.contrib.auth import get_user_model
from django.utils.text import slugify

from articles.models import Actor, ActorAlias, Article, Author, Region, RegionAlias, Section


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    is_staff = True
    password = factory.django.Password("pass-for-tests-1")


class SectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Section

    name = factory.Sequence(lambda n: f"Section {n}")
    slug = factory.LazyAttribute(lambda s: slugify(s.name))


class AuthorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Author

    display_name = factory.Sequence(lambda n: f"Author {n}")
    slug = factory.LazyAttribute(lambda a: slugify(a.display_name))


class RegionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Region

    name = factory.Sequence(lambda n: f"Place {n}")
    slug = factory.LazyAttribute(lambda r: slugify(r.name))
    kind = Region.Kind.CITY


class ActorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Actor

    name = factory.Sequence(lambda n: f"Group {n}")
    slug = factory.LazyAttribute(lambda a: slugify(a.name))
    kind = Actor.Kind.ARMED_GROUP


class RegionAliasFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RegionAlias

    entry = factory.SubFactory(RegionFactory)
    name = factory.Sequence(lambda n: f"Other name {n}")


class ActorAliasFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ActorAlias

    entry = factory.SubFactory(ActorFactory)
    name = factory.Sequence(lambda n: f"Acronym {n}")


class ArticleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Article
        skip_postgeneration_save = True

    headline = factory.Sequence(lambda n: f"Story number {n} from the front")
    slug = factory.LazyAttribute(lambda a: slugify(a.headline, allow_unicode=True))
    standfirst = "A short summary of the story."
    body = "<p>First paragraph of the story.</p><p>Second paragraph.</p>"
    section = factory.SubFactory(SectionFactory)

    @factory.post_generation
    def regions(self, create, extracted, **kwargs):
        if create and extracted:
            self.regions.set(list(extracted))

    @factory.post_generation
    def actors(self, create, extracted, **kwargs):
        if create and extracted:
            self.actors.set(list(extracted))

    @factory.post_generation
    def authors(self, create, extracted, **kwargs):
        if create and extracted:
            self.set_authors(extracted)  # in the order given, as the desk enters them
