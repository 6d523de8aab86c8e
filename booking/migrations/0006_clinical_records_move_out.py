"""Clinical records move to clinical/ and the idempotency record to core/ (state only: the tables stay).

First the relations go from booking's state, so the new apps' models can take the same related names.
"""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('booking', '0005_readiness_and_waitlist'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveField(
                    model_name='clinicalaccess',
                    name='actor',
                ),
                migrations.RemoveField(
                    model_name='evaluation',
                    name='appointment',
                ),
                migrations.RemoveField(
                    model_name='evaluation',
                    name='clinician',
                ),
                migrations.RemoveField(
                    model_name='evaluation',
                    name='patient',
                ),
                migrations.RemoveField(
                    model_name='evaluation',
                    name='signed_by',
                ),
                migrations.RemoveField(
                    model_name='treatmentplan',
                    name='evaluation',
                ),
                migrations.RemoveField(
                    model_name='evaluationaddendum',
                    name='evaluation',
                ),
                migrations.RemoveField(
                    model_name='evaluationaddendum',
                    name='author',
                ),
                migrations.RemoveField(
                    model_name='idempotencyrecord',
                    name='user',
                ),
                migrations.RemoveField(
                    model_name='treatmentplan',
                    name='patient',
                ),
            ],
            database_operations=[],
        ),
    ]
