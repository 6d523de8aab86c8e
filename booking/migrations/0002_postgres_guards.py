"""PostgreSQL guards the ORM cannot express portably (SQLite skips this migration's SQL).

- Exclusion constraints: no two blocking appointments may hold one room, one exclusive staff
  member or one patient over overlapping half-open time ranges. They are the last word under
  any interleaving of requests; the booking service's locks give the friendly 409 first.
- A trigger that refuses UPDATE and DELETE on the appointment history.
"""

from django.db import migrations

from core.migration_sql import postgresql_only

BLOCKING = "('booked', 'checked_in', 'in_progress', 'completed')"

FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS btree_gist",
    f"""ALTER TABLE booking_appointment ADD CONSTRAINT appointment_room_no_overlap
        EXCLUDE USING gist (room_id WITH =, tstzrange(starts_at, room_released_at, '[)') WITH &&)
        WHERE (room_id IS NOT NULL AND status IN {BLOCKING})""",
    f"""ALTER TABLE booking_appointment ADD CONSTRAINT appointment_staff_no_overlap
        EXCLUDE USING gist (staff_id WITH =, tstzrange(starts_at, staff_released_at, '[)') WITH &&)
        WHERE (staff_id IS NOT NULL AND status IN {BLOCKING})""",
    f"""ALTER TABLE booking_appointment ADD CONSTRAINT appointment_patient_no_overlap
        EXCLUDE USING gist (patient_id WITH =, tstzrange(starts_at, ends_at, '[)') WITH &&)
        WHERE (status IN {BLOCKING})""",
    """CREATE FUNCTION booking_history_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
        END $$""",
    """CREATE TRIGGER appointment_event_append_only
        BEFORE UPDATE OR DELETE ON booking_appointmentevent
        FOR EACH ROW EXECUTE FUNCTION booking_history_is_append_only()""",
]

BACKWARD = [
    "DROP TRIGGER IF EXISTS appointment_event_append_only ON booking_appointmentevent",
    "DROP FUNCTION IF EXISTS booking_history_is_append_only()",
    "ALTER TABLE booking_appointment DROP CONSTRAINT IF EXISTS appointment_patient_no_overlap",
    "ALTER TABLE booking_appointment DROP CONSTRAINT IF EXISTS appointment_staff_no_overlap",
    "ALTER TABLE booking_appointment DROP CONSTRAINT IF EXISTS appointment_room_no_overlap",
]



class Migration(migrations.Migration):
    dependencies = [("booking", "0001_initial")]

    operations = [postgresql_only(FORWARD, BACKWARD)]
