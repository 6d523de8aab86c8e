"""PostgreSQL guards of the controlled-substance log that the ORM cannot state (SQLite skips this
migration's SQL; the services keep the same rules on both):

- the ledger, the counts and their lines are append-only: a trigger refuses UPDATE and DELETE of
  any row (a correction is a new entry naming the wrong one);
- a container keeps its terms as received: only its running balance changes, and ``opened_at``
  once, from empty; a container is never deleted.

The balance's floor (``controlled_balance_not_negative``) is an ordinary check constraint of 0001.
"""

from django.db import migrations

from core.migration_sql import postgresql_only

APPEND_ONLY = ("controlled_ledgerentry", "controlled_dailycount", "controlled_countline")

FORWARD = [
    """CREATE FUNCTION controlled_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
        END $$""",
    *[
        f"""CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table}
            FOR EACH ROW EXECUTE FUNCTION controlled_is_append_only()"""
        for table in APPEND_ONLY
    ],
    """CREATE FUNCTION controlled_container_terms_are_final() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'DELETE' THEN
                RAISE EXCEPTION 'a controlled-substance container is never deleted';
            END IF;
            IF (NEW.id, NEW.product, NEW.lot, NEW.expires_on, NEW.concentration_mg_per_ml, NEW.volume_ml,
                NEW.content_mg, NEW.received_on, NEW.supplier, NEW.invoice_number, NEW.received_by_id,
                NEW.recorded_at)
               IS DISTINCT FROM
               (OLD.id, OLD.product, OLD.lot, OLD.expires_on, OLD.concentration_mg_per_ml, OLD.volume_ml,
                OLD.content_mg, OLD.received_on, OLD.supplier, OLD.invoice_number, OLD.received_by_id,
                OLD.recorded_at)
               OR (OLD.opened_at IS NOT NULL AND NEW.opened_at IS DISTINCT FROM OLD.opened_at) THEN
                RAISE EXCEPTION 'a container keeps its terms as received; only its balance changes';
            END IF;
            RETURN NEW;
        END $$""",
    """CREATE TRIGGER controlled_container_terms_are_final BEFORE UPDATE OR DELETE ON controlled_container
        FOR EACH ROW EXECUTE FUNCTION controlled_container_terms_are_final()""",
]

BACKWARD = [
    "DROP TRIGGER IF EXISTS controlled_container_terms_are_final ON controlled_container",
    "DROP FUNCTION IF EXISTS controlled_container_terms_are_final()",
    *[f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}" for table in APPEND_ONLY],
    "DROP FUNCTION IF EXISTS controlled_is_append_only()",
]



class Migration(migrations.Migration):
    dependencies = [("controlled", "0001_initial")]

    operations = [postgresql_only(FORWARD, BACKWARD)]
