"""PostgreSQL guards for clinical records (SQLite skips this migration's SQL):

- a signed evaluation never changes: UPDATE of a signed row and DELETE are refused;
- neither do the terms of its plan once active: only its status and end may change;
- addenda and the clinical access log are append-only.
"""

from django.db import migrations

from core.migration_sql import postgresql_only

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
    """CREATE FUNCTION booking_plan_terms_are_final() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'DELETE' THEN
                IF OLD.status <> 'draft' THEN
                    RAISE EXCEPTION 'the terms of a signed treatment plan never change';
                END IF;
                RETURN OLD;
            END IF;
            IF OLD.status <> 'draft' AND (
                NEW.evaluation_id, NEW.patient_id, NEW.infusions_planned, NEW.min_days_between,
                NEW.window_days, NEW.dose_mg_per_kg, NEW.route, NEW.integration_sessions_planned,
                NEW.notes, NEW.activated_at
            ) IS DISTINCT FROM (
                OLD.evaluation_id, OLD.patient_id, OLD.infusions_planned, OLD.min_days_between,
                OLD.window_days, OLD.dose_mg_per_kg, OLD.route, OLD.integration_sessions_planned,
                OLD.notes, OLD.activated_at
            ) THEN
                RAISE EXCEPTION 'the terms of a signed treatment plan never change';
            END IF;
            RETURN NEW;
        END $$""",
    """CREATE TRIGGER treatment_plan_terms_are_final
        BEFORE UPDATE OR DELETE ON booking_treatmentplan
        FOR EACH ROW EXECUTE FUNCTION booking_plan_terms_are_final()""",
    """CREATE TRIGGER evaluation_addendum_append_only
        BEFORE UPDATE OR DELETE ON booking_evaluationaddendum
        FOR EACH ROW EXECUTE FUNCTION booking_history_is_append_only()""",
    """CREATE TRIGGER clinical_access_append_only
        BEFORE UPDATE OR DELETE ON booking_clinicalaccess
        FOR EACH ROW EXECUTE FUNCTION booking_history_is_append_only()""",
]

BACKWARD = [
    "DROP TRIGGER IF EXISTS treatment_plan_terms_are_final ON booking_treatmentplan",
    "DROP FUNCTION IF EXISTS booking_plan_terms_are_final()",
    "DROP TRIGGER IF EXISTS clinical_access_append_only ON booking_clinicalaccess",
    "DROP TRIGGER IF EXISTS evaluation_addendum_append_only ON booking_evaluationaddendum",
    "DROP TRIGGER IF EXISTS evaluation_signed_is_final ON booking_evaluation",
    "DROP FUNCTION IF EXISTS booking_signed_evaluation_is_final()",
]



class Migration(migrations.Migration):
    dependencies = [("booking", "0003_evaluations_and_plans")]

    operations = [postgresql_only(FORWARD, BACKWARD)]
