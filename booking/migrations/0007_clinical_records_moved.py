"""Appointments point at clinical's treatment plan; booking's copies of the moved models leave its state.

The content types of the moved models follow them, so admin permissions and log entries keep pointing at the same rows.
"""

import django.db.models.deletion
from django.db import migrations, models

MOVED = {"evaluation": "clinical", "evaluationaddendum": "clinical", "treatmentplan": "clinical",
         "clinicalaccess": "clinical", "idempotencyrecord": "core"}


def _relabel(apps, from_app, to_app_of):
    content_type = apps.get_model("contenttypes", "ContentType")
    for model, app in MOVED.items():
        target = to_app_of(app)
        content_type.objects.filter(app_label=target, model=model).delete()  # a row post_migrate may have made
        content_type.objects.filter(app_label=from_app(app), model=model).update(app_label=target)


def _content_types_follow(apps, schema_editor):
    _relabel(apps, lambda app: "booking", lambda app: app)


def _content_types_return(apps, schema_editor):
    _relabel(apps, lambda app: app, lambda app: "booking")


class Migration(migrations.Migration):

    dependencies = [
        ('contenttypes', '0002_remove_content_type_name'),
        ('core', '0001_initial'),
        ('booking', '0006_clinical_records_move_out'),
        ('clinical', '0001_initial'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='appointment',
                    name='treatment_plan',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='appointments', to='clinical.treatmentplan'),
                ),
                migrations.DeleteModel(
                    name='ClinicalAccess',
                ),
                migrations.DeleteModel(
                    name='Evaluation',
                ),
                migrations.DeleteModel(
                    name='EvaluationAddendum',
                ),
                migrations.DeleteModel(
                    name='IdempotencyRecord',
                ),
                migrations.DeleteModel(
                    name='TreatmentPlan',
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(_content_types_follow, _content_types_return),
    ]
