"""Letters to the referring provider never change (SPEC.md section 12; a correction is a new letter): on PostgreSQL a trigger
refuses UPDATE and DELETE of any row, as controlled/migrations/0002 does for its log (SQLite skips
this SQL; the services only ever insert)."""

from django.db import migrations

APPEND_ONLY = ("clinical_letter",)

FORWARD = [
    """CREATE FUNCTION clinical_letter_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
        END $$""",
    *[
        f"""CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table}
            FOR EACH ROW EXECUTE FUNCTION clinical_letter_is_append_only()"""
        for table in APPEND_ONLY
    ],
]

BACKWARD = [
    *[f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}" for table in APPEND_ONLY],
    "DROP FUNCTION IF EXISTS clinical_letter_is_append_only()",
]


def _run_on_postgresql(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("clinical", "0012_letters")]

    operations = [migrations.RunPython(_run_on_postgresql(FORWARD), _run_on_postgresql(BACKWARD))]
