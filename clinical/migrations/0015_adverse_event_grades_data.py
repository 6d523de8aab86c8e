"""Existing adverse events: their severity becomes a CTCAE v5.0 grade (mild 1, moderate 2, severe
3); backwards, the grades become severities again (4 and 5, which the old scale lacked, become
severe). Its own migration: on PostgreSQL a table is not altered in the transaction that updated
its rows (pending trigger events), so 0012 alters it afterwards."""

from django.db import migrations

SEVERITY_GRADES = {'mild': 1, 'moderate': 2, 'severe': 3}


def severity_to_grade(apps, schema_editor):
    events = apps.get_model('clinical', 'AdverseEvent').objects
    for severity, grade in SEVERITY_GRADES.items():
        events.filter(severity=severity).update(grade=grade)


def grade_to_severity(apps, schema_editor):
    events = apps.get_model('clinical', 'AdverseEvent').objects
    for severity, grade in SEVERITY_GRADES.items():
        events.filter(grade=grade).update(severity=severity)
    events.filter(grade__gt=3).update(severity='severe')  # the old scale ends at severe


class Migration(migrations.Migration):

    dependencies = [
        ('clinical', '0014_adverse_event_grades_alert_delivery'),
    ]

    operations = [
        migrations.RunPython(severity_to_grade, grade_to_severity),
    ]
