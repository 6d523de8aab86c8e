"""Every adverse event has its grade now (0011): the grade is required, 1 to 5, serious for 4
and 5, and the severity column goes."""

from django.db import migrations, models

GRADES = [(1, '1 - Mild'), (2, '2 - Moderate'), (3, '3 - Severe'), (4, '4 - Life-threatening'), (5, '5 - Death')]


class Migration(migrations.Migration):

    dependencies = [
        ('clinical', '0015_adverse_event_grades_data'),
    ]

    operations = [
        migrations.AlterField(
            model_name='adverseevent',
            name='grade',
            field=models.PositiveSmallIntegerField(choices=GRADES),
        ),
        # Backwards the column comes back before its values do (0011's grade_to_severity fills them).
        migrations.AlterField(
            model_name='adverseevent',
            name='severity',
            field=models.CharField(blank=True, default='', max_length=8),
        ),
        migrations.RemoveField(model_name='adverseevent', name='severity'),
        migrations.AddConstraint(
            model_name='adverseevent',
            constraint=models.CheckConstraint(condition=models.Q(('grade__gte', 1), ('grade__lte', 5)), name='adverse_event_grade_1_to_5'),
        ),
        migrations.AddConstraint(
            model_name='adverseevent',
            constraint=models.CheckConstraint(condition=models.Q(('grade__lte', 3), ('serious', True), _connector='OR'), name='adverse_event_grade_4_5_serious'),
        ),
    ]
