"""Structured logs: one line per request and per workflow move, errors with the request id and path."""

import json
import logging

import pytest
from django.test import Client
from django.urls import reverse

from articles.models import Article
from articles.tests.factories import ArticleFactory
from newsroom.request_log import JSONFormatter

S = Article.Status


def _lines(caplog, logger):
    return [record for record in caplog.records if record.name == logger]


def _json(record):
    return json.loads(JSONFormatter().format(record))


@pytest.mark.django_db
def test_each_request_logs_one_json_line_with_method_path_status_duration_user_and_request_id(client, caplog):
    caplog.set_level(logging.INFO)
    response = client.get("/?page=2&q=a-secret-search")
    (record,) = _lines(caplog, "newsroom.request")
    line = _json(record)
    assert line["level"] == "INFO" and line["logger"] == "newsroom.request"
    assert (line["method"], line["path"], line["status"], line["user_id"]) == ("GET", "/", 200, None)
    assert isinstance(line["duration_ms"], float) and line["duration_ms"] >= 0
    assert line["request_id"] == response["X-Request-ID"] and len(line["request_id"]) == 32
    # What a reader searched for never reaches the log.
    assert "a-secret-search" not in JSONFormatter().format(record)


@pytest.mark.django_db
def test_request_line_names_the_logged_in_user(client, caplog, editor):
    client.force_login(editor)
    caplog.set_level(logging.INFO)
    assert client.get(reverse("admin:articles_article_changelist")).status_code == 200
    (record,) = _lines(caplog, "newsroom.request")
    assert record.user_id == editor.pk and record.status == 200


@pytest.mark.django_db
def test_request_id_from_the_proxy_is_kept_and_a_forged_one_is_replaced(client, caplog):
    caplog.set_level(logging.INFO)
    kept = client.get("/", headers={"X-Request-ID": "nginx-4f2a9c01d3"})
    forged = client.get("/", headers={"X-Request-ID": 'x" level=ERROR fake=1'})
    assert kept["X-Request-ID"] == "nginx-4f2a9c01d3"
    assert forged["X-Request-ID"] != 'x" level=ERROR fake=1' and len(forged["X-Request-ID"]) == 32
    assert [r.request_id for r in _lines(caplog, "newsroom.request")] == [kept["X-Request-ID"], forged["X-Request-ID"]]


@pytest.mark.django_db
@pytest.mark.urls("articles.tests.failing_urls")
def test_an_unhandled_error_is_logged_with_its_traceback_request_id_and_path(caplog):
    caplog.set_level(logging.INFO)
    response = Client(raise_request_exception=False).get("/broken/")
    assert response.status_code == 500
    assert "the page broke" not in response.content.decode()
    request_id = response["X-Request-ID"]
    (error,) = [record for record in caplog.records if record.name == "django.request"]
    line = _json(error)
    assert line["level"] == "ERROR" and line["request_id"] == request_id and line["path"] == "/broken/"
    assert "RuntimeError: the page broke" in line["exception"]
    (request_line,) = _lines(caplog, "newsroom.request")
    assert (request_line.levelname, request_line.status, request_line.request_id) == ("ERROR", 500, request_id)


@pytest.mark.django_db
def test_each_workflow_move_logs_one_line(reporter, caplog, django_capture_on_commit_callbacks):
    from articles import workflow

    article = ArticleFactory(created_by=reporter)
    caplog.set_level(logging.INFO)
    with django_capture_on_commit_callbacks(execute=True):
        workflow.submit(article, by=reporter, note="Lawyer says: name the source as X")
    (record,) = _lines(caplog, "newsroom.workflow")
    line = _json(record)
    event = article.events.get()
    assert line["message"] == f"submit article {article.pk}: draft -> submitted"
    assert (line["move"], line["article_id"], line["event_id"], line["actor_id"]) == (
        "submit",
        article.pk,
        event.pk,
        reporter.pk,
    )
    assert (line["from_status"], line["to_status"]) == ("draft", "submitted")
    assert "Lawyer" not in json.dumps(line)  # the note stays in the audit trail only
    assert "request_id" not in line  # not made in a request


@pytest.mark.django_db(transaction=True)
def test_a_move_made_through_the_admin_logs_the_request_id_of_the_post(client, editor, caplog):
    article = ArticleFactory(created_by=editor)
    Article.objects.filter(pk=article.pk).update(status=S.SUBMITTED)  # set-up only
    client.force_login(editor)
    caplog.set_level(logging.INFO)
    response = client.post(reverse("admin:articles_article_move", args=[article.pk, "approve"]))
    assert response.status_code == 302
    (move,) = _lines(caplog, "newsroom.workflow")
    assert move.move == "approve" and move.actor_id == editor.pk
    assert _json(move)["request_id"] == response["X-Request-ID"]
