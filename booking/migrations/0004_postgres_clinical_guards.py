"""PostgreSQL guards for clinical records (SQLite skips this migration's SQL):

- a signed evaluation never changes: UPDATE of a signed row and DELETE are refused;
- addenda and the clinical access log are append-only.
"""

from django.db import migrations

FORWARD = [
    """CREATE FUNCTION booking_signed_evaluation_is_final() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'DELETE' OR OLD.status = 'signed' THEN
                RAISE EXCEPTION 'a signed evaluation never changes';
            END IF;
            RETURN NEW;
        END $$""",
    """CREATE TRIGGER evaluation_signed_is_final
        BEFORE UPDATE OR DELETE ON booking_evaluation
        FOR EACH ROW EXECUTE FUNCTION booking_signed_evaluation_is_final()""",
    """CREATE TRIGGER evaluation_addendum_append_only
        BEFORE UPDATE OR DELETE ON booking_evaluationaddendum
        FOR EACH ROW EXECUTE FUNCTION booking_history_is_append_only()""",
    """CREATE TRIGGER clinical_access_append_only
        BEFORE UPDATE OR DELETE ON booking_clinicalaccess
        FOR EACH ROW EXECUTE FUNCTION booking_history_is_append_only()""",
]

BACKWARD = [
    "DROP TRIGGER IF EXISTS clinical_access_append_only ON booking_clinicalaccess",
    "DROP TRIGGER IF EXISTS evaluation_addendum_append_only ON booking_evaluationaddendum",
    "DROP TRIGGER IF EXISTS evaluation_signed_is_final ON booking_evaluation",
    "DROP FUNCTION IF EXISTS booking_signed_evaluation_is_final()",
]


def _run_on_postgresql(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [("booking", "0003_evaluations_and_plans")]

    operations = [migrations.RunPython(_run_on_postgresql(FORWARD), _run_on_postgresql(BACKWARD))]
