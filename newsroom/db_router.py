"""Optional read replica: readers' page views read from it, everything else uses the primary.

With DATABASE_REPLICA_URL set, the settings add a `replica` database, this router and
`ReplicaReadsMiddleware`. A replica lags the primary by a little, so it only serves reads that can afford
to be a moment old and that nobody is about to write back:

- reads during a GET or HEAD request that carries no session cookie (a reader, not a logged-in journalist)
  and is not for the staff side (`/admin/`, `/desk/`, `/tinymce/`), outside any transaction;
- everything else (writes, reads inside `transaction.atomic`, staff requests, form posts, management
  commands such as `publish_scheduled` and the importers, the shell) goes to the primary, so a journalist
  always sees what they just saved and row locks are taken where the writes happen.

Reads are opt-in per request rather than opt-out, so new code paths are correct by default.
"""

import contextvars

from django.conf import settings
from django.db import connections

from newsroom.security import STAFF_PREFIXES

PRIMARY = "default"
REPLICA = "replica"
_replica_allowed = contextvars.ContextVar("newsroom_replica_reads", default=False)


class ReplicaReadsMiddleware:
    """Allow replica reads for the duration of a reader's safe request (see the module docstring)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        allowed = (
            request.method in ("GET", "HEAD")
            and settings.SESSION_COOKIE_NAME not in request.COOKIES
            and not request.path.startswith(STAFF_PREFIXES)
        )
        token = _replica_allowed.set(allowed)
        try:
            return self.get_response(request)
        finally:
            _replica_allowed.reset(token)


class PrimaryReplicaRouter:
    """Send reads to the replica when the current request allows it and no transaction is open."""

    def db_for_read(self, model, **hints):
        """The replica for a reader's read outside a transaction; otherwise the primary."""
        if _replica_allowed.get() and not connections[PRIMARY].in_atomic_block:
            return REPLICA
        return PRIMARY

    def db_for_write(self, model, **hints):
        """Always the primary."""
        return PRIMARY

    def allow_relation(self, obj1, obj2, **hints):
        """Rows from the primary and the replica are the same rows."""
        return {obj1._state.db, obj2._state.db} <= {PRIMARY, REPLICA}

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        """Migrations run on the primary only; the replica follows through replication."""
        return db == PRIMARY
