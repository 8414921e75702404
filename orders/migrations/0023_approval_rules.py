# Approval rules (docs/approvals.md): the rules and their immutable versions, the holds that name
# them, the tenant's self-approval setting, the three new order states (choices only: no column
# changes) and a partial index of the orders awaiting approval, which holds only those orders. Its
# build reads the order table once; on PostgreSQL a plain CREATE INDEX holds writes that long.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('orders', '0022_address_save_outcomes'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='ApprovalRule',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
            ],
            options={
                'ordering': ('created_at', 'id'),
            },
        ),
        migrations.CreateModel(
            name='ApprovalRuleVersion',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('version', models.PositiveIntegerField()),
                ('kind', models.CharField(choices=[('lines_over', 'More than a number of lines'), ('quantity_over', "Any line's quantity above a number"), ('priority', 'A chosen priority'), ('dispatch_within', 'Dispatch sooner than a number of hours from now'), ('accounts', 'Chosen accounts'), ('carrier_service', 'A chosen carrier service'), ('new_keyer', 'The first orders someone keys')], max_length=20)),
                ('number', models.PositiveIntegerField(blank=True, null=True)),
                ('ids', models.JSONField(blank=True, default=list)),
                ('active', models.BooleanField(default=True)),
                ('wording', models.CharField(max_length=300)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
            ],
            options={
                'ordering': ('rule', 'version'),
            },
        ),
        migrations.CreateModel(
            name='OrderHold',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('at', models.DateTimeField(db_index=True)),
                ('why', models.CharField(max_length=300)),
            ],
            options={
                'ordering': ('-at', 'id'),
            },
        ),
        migrations.AddField(
            model_name='tenant',
            name='approval_self_allowed',
            field=models.BooleanField(default=False),
        ),
        migrations.AlterField(
            model_name='order',
            name='status',
            field=models.CharField(choices=[('draft', 'Draft'), ('sending', 'Sending'), ('sent', 'Sent'), ('rejected', 'Rejected by Clarus'), ('failed', 'Not sent'), ('unknown', 'No answer from Clarus'), ('cancelled', 'Cancelled in Clarus'), ('held', 'Awaiting approval'), ('declined', 'Not approved'), ('withdrawn', 'Withdrawn (never sent)')], db_index=True, default='draft', max_length=10),
        ),
        migrations.AlterField(
            model_name='ordertransition',
            name='from_status',
            field=models.CharField(blank=True, choices=[('draft', 'Draft'), ('sending', 'Sending'), ('sent', 'Sent'), ('rejected', 'Rejected by Clarus'), ('failed', 'Not sent'), ('unknown', 'No answer from Clarus'), ('cancelled', 'Cancelled in Clarus'), ('held', 'Awaiting approval'), ('declined', 'Not approved'), ('withdrawn', 'Withdrawn (never sent)')], max_length=10),
        ),
        migrations.AlterField(
            model_name='ordertransition',
            name='to_status',
            field=models.CharField(choices=[('draft', 'Draft'), ('sending', 'Sending'), ('sent', 'Sent'), ('rejected', 'Rejected by Clarus'), ('failed', 'Not sent'), ('unknown', 'No answer from Clarus'), ('cancelled', 'Cancelled in Clarus'), ('held', 'Awaiting approval'), ('declined', 'Not approved'), ('withdrawn', 'Withdrawn (never sent)')], max_length=10),
        ),
        migrations.AddIndex(
            model_name='order',
            index=models.Index(condition=models.Q(('status', 'held')), fields=['tenant', 'created_at', 'id'], name='order_held_oldest'),
        ),
        migrations.AddField(
            model_name='approvalrule',
            name='tenant',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='approval_rules', to='orders.tenant'),
        ),
        migrations.AddField(
            model_name='approvalruleversion',
            name='created_by',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='approvalruleversion',
            name='rule',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='versions', to='orders.approvalrule'),
        ),
        migrations.AddField(
            model_name='approvalruleversion',
            name='tenant',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='orders.tenant'),
        ),
        migrations.AddField(
            model_name='approvalrule',
            name='current',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='orders.approvalruleversion'),
        ),
        migrations.AddField(
            model_name='orderhold',
            name='order',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='holds', to='orders.order'),
        ),
        migrations.AddField(
            model_name='orderhold',
            name='rule_version',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='holds', to='orders.approvalruleversion'),
        ),
        migrations.AddConstraint(
            model_name='approvalruleversion',
            constraint=models.UniqueConstraint(fields=('rule', 'version'), name='approval_rule_version_once'),
        ),
    ]
