"""The clinical models as they were in booking/, on booking's tables (state only: nothing is created).
"""

import django.db.models.deletion
import uuid
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('booking', '0006_clinical_records_move_out'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Evaluation',
                    fields=[
                        ('id', models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                        ('status', models.CharField(choices=[('draft', 'Draft'), ('signed', 'Signed')], default='draft', max_length=8)),
                        ('phq9_total', models.PositiveSmallIntegerField(blank=True, null=True)),
                        ('gad7_total', models.PositiveSmallIntegerField(blank=True, null=True)),
                        ('systolic_bp', models.PositiveSmallIntegerField(blank=True, null=True)),
                        ('diastolic_bp', models.PositiveSmallIntegerField(blank=True, null=True)),
                        ('heart_rate', models.PositiveSmallIntegerField(blank=True, null=True)),
                        ('substance_use', models.CharField(blank=True, choices=[('none', 'None'), ('in_recovery', 'In stable, long-term recovery'), ('active', 'Active use')], max_length=16)),
                        ('contraindications', models.JSONField(blank=True, default=list, help_text='Codes of Contraindication.')),
                        ('decision', models.CharField(blank=True, choices=[('candidate', 'Candidate'), ('not_candidate', 'Not a candidate'), ('deferred', 'Deferred')], max_length=16)),
                        ('rationale', models.TextField(blank=True, max_length=5000)),
                        ('override_reason', models.TextField(blank=True, max_length=2000)),
                        ('signed_at', models.DateTimeField(blank=True, null=True)),
                        ('created_at', models.DateTimeField(auto_now_add=True)),
                        ('updated_at', models.DateTimeField(auto_now=True)),
                        ('appointment', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='evaluation', to='booking.appointment')),
                        ('clinician', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('patient', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='evaluations', to=settings.AUTH_USER_MODEL)),
                        ('signed_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'booking_evaluation',
                        'ordering': ['-created_at'],
                    },
                ),
                migrations.CreateModel(
                    name='EvaluationAddendum',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('text', models.TextField(max_length=5000)),
                        ('created_at', models.DateTimeField()),
                        ('author', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                        ('evaluation', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='addenda', to='clinical.evaluation')),
                    ],
                    options={
                        'db_table': 'booking_evaluationaddendum',
                        'ordering': ['created_at', 'id'],
                    },
                ),
                migrations.CreateModel(
                    name='TreatmentPlan',
                    fields=[
                        ('id', models.UUIDField(default=uuid.uuid4, editable=False, primary_key=True, serialize=False)),
                        ('status', models.CharField(choices=[('draft', 'Draft'), ('active', 'Active'), ('completed', 'Completed'), ('discontinued', 'Discontinued')], default='draft', max_length=16)),
                        ('infusions_planned', models.PositiveSmallIntegerField(default=6)),
                        ('min_days_between', models.PositiveSmallIntegerField(default=2)),
                        ('window_days', models.PositiveSmallIntegerField(default=21)),
                        ('dose_mg_per_kg', models.DecimalField(blank=True, decimal_places=2, max_digits=4, null=True)),
                        ('route', models.CharField(blank=True, choices=[('IV', 'Intravenous'), ('IM', 'Intramuscular')], max_length=2)),
                        ('integration_sessions_planned', models.PositiveSmallIntegerField(default=0)),
                        ('notes', models.TextField(blank=True, max_length=5000)),
                        ('activated_at', models.DateTimeField(blank=True, null=True)),
                        ('ended_at', models.DateTimeField(blank=True, null=True)),
                        ('ended_reason', models.CharField(blank=True, max_length=500)),
                        ('evaluation', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='plan', to='clinical.evaluation')),
                        ('patient', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='treatment_plans', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'db_table': 'booking_treatmentplan',
                    },
                ),
                migrations.CreateModel(
                    name='ClinicalAccess',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('actor_role', models.CharField(max_length=16)),
                        ('action', models.CharField(choices=[('read', 'Read'), ('create', 'Create'), ('update', 'Update'), ('sign', 'Sign'), ('addendum', 'Addendum'), ('discontinue', 'Discontinue plan')], max_length=16)),
                        ('object_type', models.CharField(max_length=32)),
                        ('object_id', models.UUIDField()),
                        ('occurred_at', models.DateTimeField()),
                        ('request_id', models.CharField(blank=True, max_length=64)),
                        ('actor', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
                    ],
                    options={
                        'verbose_name_plural': 'clinical access log',
                        'db_table': 'booking_clinicalaccess',
                        'ordering': ['-occurred_at', '-id'],
                        'indexes': [models.Index(fields=['object_type', 'object_id'], name='booking_cli_object__371daf_idx')],
                    },
                ),
                migrations.AddConstraint(
                    model_name='evaluation',
                    constraint=models.CheckConstraint(condition=models.Q(('phq9_total__isnull', True), ('phq9_total__lte', 27), _connector='OR'), name='evaluation_phq9_range'),
                ),
                migrations.AddConstraint(
                    model_name='evaluation',
                    constraint=models.CheckConstraint(condition=models.Q(('gad7_total__isnull', True), ('gad7_total__lte', 21), _connector='OR'), name='evaluation_gad7_range'),
                ),
                migrations.AddConstraint(
                    model_name='evaluation',
                    constraint=models.CheckConstraint(condition=models.Q(('status', 'draft'), models.Q(('signed_at__isnull', False), ('signed_by__isnull', False)), _connector='OR'), name='signed_evaluation_has_signature'),
                ),
                migrations.AddConstraint(
                    model_name='treatmentplan',
                    constraint=models.UniqueConstraint(condition=models.Q(('status', 'active')), fields=('patient',), name='one_active_plan_per_patient'),
                ),
                migrations.AddConstraint(
                    model_name='treatmentplan',
                    constraint=models.CheckConstraint(condition=models.Q(('infusions_planned__gte', 1), ('infusions_planned__lte', 12)), name='plan_infusions_1_to_12'),
                ),
                migrations.AddConstraint(
                    model_name='treatmentplan',
                    constraint=models.CheckConstraint(condition=models.Q(('integration_sessions_planned__lte', 12)), name='plan_integration_sessions_0_to_12'),
                ),
                migrations.AddConstraint(
                    model_name='treatmentplan',
                    constraint=models.CheckConstraint(condition=models.Q(('min_days_between__gte', 1), ('window_days__gte', 1)), name='plan_spacing_and_window_positive'),
                ),
            ],
            database_operations=[],
        ),
    ]
