"""Announcements of what already happened; receivers may react (purge caches, notify people) but never decide."""

from django.dispatch import Signal

# Sent after the transaction of a workflow move commits, with `article`, `event` (an ArticleEvent) and `move`.
article_moved = Signal()
