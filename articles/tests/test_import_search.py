"""Imported stories are searchable at once, and a re-import that changes the text changes what search finds."""

import pytest

from articles.importers.pipeline import ImportOptions, run_import
from articles.search import SearchQuery, search

pytestmark = pytest.mark.django_db

STORY = (
    '{{"source_id": "orchards-1", "headline": "Farmers in Baghouz return to flooded orchards", '
    '"body": "Farmers said the {crop} harvest was lost after the river rose overnight."}}\n'
)


def _headlines(words):
    return [a.headline for a in search(SearchQuery(text=words)).articles]


def test_an_imported_story_is_found_by_search_and_an_update_is_reindexed(tmp_path, places, actors):
    path = tmp_path / "orchards.jsonl"
    path.write_text(STORY.format(crop="pomegranate"), encoding="utf-8")
    options = ImportOptions(status="published", source="desk-test")
    first = run_import([str(path)], options)
    assert (first.imported, first.failed) == (1, 0)
    assert _headlines("pomegranate") == ["Farmers in Baghouz return to flooded orchards"]

    path.write_text(STORY.format(crop="apricot"), encoding="utf-8")
    second = run_import([str(path)], options)
    assert second.updated == 1
    assert _headlines("apricot") == ["Farmers in Baghouz return to flooded orchards"]
    assert _headlines("pomegranate") == []
