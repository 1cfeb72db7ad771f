"""One structured log line per workflow move (a receiver of `article_moved`; connected in apps.py).

The audit trail in the database (`ArticleEvent`) is the record; this line is for whoever watches the logs
across servers: which move, which article, from and to which state, by whom (user id, or none for the
system), and, when the move came from a web request, that request's id (added to every record by
`newsroom.request_log`). The note is left out: it can hold a legal reason or a source's name.
"""

import logging

logger = logging.getLogger("newsroom.workflow")


def log_move(sender, article, event, move, **kwargs):
    """Receiver of `article_moved`: log the move as one line on the `newsroom.workflow` logger."""
    logger.info(
        "%s article %s: %s -> %s",
        move,
        article.pk,
        event.from_status,
        event.to_status,
        extra={
            "move": move,
            "article_id": article.pk,
            "event_id": event.pk,
            "from_status": event.from_status,
            "to_status": event.to_status,
            "actor_id": event.actor_id,
        },
    )
