"""PostgreSQL guards of the chair's scales and the follow-up calls that the ORM cannot state
(SQLite skips this migration's SQL; the services keep the same rules on both):

- a scale assessment is append-only: a trigger refuses UPDATE and DELETE (a later assessment
  supersedes an earlier one);
- a follow-up call's outcome, once recorded, is final, and a call is never deleted.
"""

from django.db import migrations

from core.migration_sql import postgresql_only

FORWARD = [
    """CREATE FUNCTION clinical_scale_assessment_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
        END $$""",
    """CREATE TRIGGER clinical_scaleassessment_append_only BEFORE UPDATE OR DELETE ON clinical_scaleassessment
        FOR EACH ROW EXECUTE FUNCTION clinical_scale_assessment_is_append_only()""",
    """CREATE FUNCTION clinical_follow_up_outcome_is_final() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'DELETE' THEN
                RAISE EXCEPTION 'a follow-up call is never deleted';
            END IF;
            IF OLD.recorded_at IS NOT NULL THEN
                RAISE EXCEPTION 'a follow-up call''s recorded outcome is final';
            END IF;
            RETURN NEW;
        END $$""",
    """CREATE TRIGGER clinical_followupcall_outcome_is_final BEFORE UPDATE OR DELETE ON clinical_followupcall
        FOR EACH ROW EXECUTE FUNCTION clinical_follow_up_outcome_is_final()""",
]

BACKWARD = [
    "DROP TRIGGER IF EXISTS clinical_followupcall_outcome_is_final ON clinical_followupcall",
    "DROP FUNCTION IF EXISTS clinical_follow_up_outcome_is_final()",
    "DROP TRIGGER IF EXISTS clinical_scaleassessment_append_only ON clinical_scaleassessment",
    "DROP FUNCTION IF EXISTS clinical_scale_assessment_is_append_only()",
]



class Migration(migrations.Migration):
    dependencies = [("clinical", "0007_scales_follow_up_calls")]

    operations = [postgresql_only(FORWARD, BACKWARD)]
