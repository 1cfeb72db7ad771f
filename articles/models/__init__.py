"""The newsroom's models. Import them from here: `from articles.models import Article, Region`."""

from articles.models.article import (
    PUBLISHING_YEARS,
    Article,
    ArticleGenre,
    ArticleLanguage,
    ArticleStatus,
    Author,
    Byline,
    Section,
    names_as_line,
)
from articles.models.images import Image, ImageActor, ImageRegion, Rendition
from articles.models.imports import ImportedInput
from articles.models.live import LIVE_UPDATES_SHOWN, LiveUpdate
from articles.models.revisions import ArticleRevision
from articles.models.see_also import SEE_ALSO_LIMIT, SeeAlso, see_also_problems
from articles.models.staff import StaffProfile
from articles.models.suggestions import RejectedSuggestion
from articles.models.taxonomy import (
    Actor,
    ActorAlias,
    ArticleActor,
    ArticleRegion,
    EditionText,
    Region,
    RegionAlias,
    UnknownNameError,
    name_in,
    text_in,
)
from articles.models.workflow import ArticleEvent, Correction

__all__ = [
    "PUBLISHING_YEARS",
    "Actor",
    "ActorAlias",
    "Article",
    "ArticleActor",
    "ArticleEvent",
    "Correction",
    "EditionText",
    "Image",
    "ImageActor",
    "ImageRegion",
    "ImportedInput",
    "LIVE_UPDATES_SHOWN",
    "LiveUpdate",
    "Rendition",
    "ArticleGenre",
    "ArticleLanguage",
    "ArticleRegion",
    "ArticleRevision",
    "ArticleStatus",
    "Author",
    "Byline",
    "Region",
    "RegionAlias",
    "RejectedSuggestion",
    "SEE_ALSO_LIMIT",
    "Section",
    "SeeAlso",
    "see_also_problems",
    "StaffProfile",
    "name_in",
    "names_as_line",
    "text_in",
    "UnknownNameError",
]
