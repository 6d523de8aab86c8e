"""PostgreSQL guards of the regulated record (SQLite skips this migration's SQL; the services
write each row once): a consent signature, a pregnancy test and a medication list version are
append-only, and a consent document that someone signed keeps its words and dates."""

from django.db import migrations

from core.migration_sql import postgresql_only

APPEND_ONLY = ("clinical_patientconsent", "clinical_pregnancytest", "clinical_medicationlistversion")

FORWARD = [
    """CREATE FUNCTION clinical_regulated_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
        END $$""",
    *[
        f"""CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table}
            FOR EACH ROW EXECUTE FUNCTION clinical_regulated_is_append_only()"""
        for table in APPEND_ONLY
    ],
    """CREATE FUNCTION clinical_signed_consent_document_is_final() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF EXISTS (SELECT 1 FROM clinical_patientconsent WHERE document_id = OLD.id) THEN
                RAISE EXCEPTION 'a consent document someone signed never changes';
            END IF;
            IF TG_OP = 'DELETE' THEN
                RETURN OLD;
            END IF;
            RETURN NEW;
        END $$""",
    """CREATE TRIGGER clinical_signed_consent_document_is_final BEFORE UPDATE OR DELETE
        ON clinical_consentdocument FOR EACH ROW EXECUTE FUNCTION clinical_signed_consent_document_is_final()""",
]

BACKWARD = [
    "DROP TRIGGER IF EXISTS clinical_signed_consent_document_is_final ON clinical_consentdocument",
    "DROP FUNCTION IF EXISTS clinical_signed_consent_document_is_final()",
    *[f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}" for table in APPEND_ONLY],
    "DROP FUNCTION IF EXISTS clinical_regulated_is_append_only()",
]



class Migration(migrations.Migration):
    dependencies = [("clinical", "0007_regulated_record")]

    operations = [postgresql_only(FORWARD, BACKWARD)]
