"""Dose orders and their co-signatures never change (SPEC.md section 12): on PostgreSQL a trigger
refuses UPDATE and DELETE of any row, as controlled/migrations/0002 does for its log (SQLite skips
this SQL; the services only ever insert)."""

from django.db import migrations

from core.migration_sql import postgresql_only

APPEND_ONLY = ("clinical_doseorder", "clinical_doseordercosignature")

FORWARD = [
    """CREATE FUNCTION clinical_dose_order_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
        END $$""",
    *[
        f"""CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table}
            FOR EACH ROW EXECUTE FUNCTION clinical_dose_order_is_append_only()"""
        for table in APPEND_ONLY
    ],
]

BACKWARD = [
    *[f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}" for table in APPEND_ONLY],
    "DROP FUNCTION IF EXISTS clinical_dose_order_is_append_only()",
]



class Migration(migrations.Migration):
    dependencies = [("clinical", "0010_dose_orders")]

    operations = [postgresql_only(FORWARD, BACKWARD)]
