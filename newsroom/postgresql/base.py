"""Django's PostgreSQL backend, splitting bulk writes to PostgreSQL's limit on bound parameters.

With `server_side_binding` (settings, DATABASE_SERVER_SIDE_BINDING) every value of a statement is a bound
parameter, and PostgreSQL takes at most 65,535 of them; Django 5.2 does not know that and would send a
large `bulk_create` or `bulk_update` (an import with a big `--batch-size`, a long story list's links) as
one statement PostgreSQL refuses. Here such writes are split into statements that fit. A `bulk_update`
binds two values a field and row (its CASE WHEN), so the batch is sized for two a field; a `bulk_create`
then gets batches half as long as it could, which costs nothing at the project's batch sizes (500).
"""

from django.db.backends.postgresql import base, features, operations
from django.utils.functional import cached_property
from psycopg.types.numeric import IntBinaryDumper, IntDumper

MAX_PARAMETERS = 65_535


class DatabaseFeatures(features.DatabaseFeatures):
    @cached_property
    def max_query_params(self):
        return MAX_PARAMETERS if self.connection.settings_dict["OPTIONS"].get("server_side_binding") else None


class DatabaseOperations(operations.DatabaseOperations):
    def bulk_batch_size(self, fields, objs):
        limit = self.connection.features.max_query_params
        if limit and fields:
            return max(1, limit // (2 * len(fields)))
        return super().bulk_batch_size(fields, objs)


class DatabaseWrapper(base.DatabaseWrapper):
    features_class = DatabaseFeatures
    ops_class = DatabaseOperations

    def get_new_connection(self, conn_params):
        connection = super().get_new_connection(conn_params)
        if self.settings_dict["OPTIONS"].get("server_side_binding"):
            connection.adapters.register_dumper(int, _BigintDumper)
            connection.adapters.register_dumper(int, _BigintBinaryDumper)
        return connection


# psycopg types each Python int by its size (smallint, integer, bigint), and a prepared statement is kept per
# set of parameter types: the related stories' ten ids came in hundreds of combinations and were never
# prepared, and the story's query was prepared twice (ids either side of 32,767). Bound as bigints, a query
# is one statement whatever its ids; an int past bigint's range (a hostile address) stays a numeric, which
# matches nothing, as before.
def _bigint_or_numeric(dumper, obj):
    return dumper._int8_dumper if -(2**63) <= obj < 2**63 else dumper._int_numeric_dumper


class _BigintDumper(IntDumper):
    def upgrade(self, obj, format):
        return _bigint_or_numeric(self, obj)


class _BigintBinaryDumper(IntBinaryDumper):
    def upgrade(self, obj, format):
        return _bigint_or_numeric(self, obj)
