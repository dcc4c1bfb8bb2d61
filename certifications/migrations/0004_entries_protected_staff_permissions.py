"""A certificate's entries are protected from its deletion; provincial staff neither delete certificates
nor change the categories every province shares (national staff and superusers still may); both groups
see the background jobs (their progress) in the admin."""

import django.db.models.deletion
from django.db import migrations, models

WITHDRAWN = [("certifications", "delete_certificate"), ("products", "change_category")]


def _provincial_permissions(apps):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group = Group.objects.filter(name="Provincial staff").first()
    permissions = [
        Permission.objects.filter(content_type__app_label=app, codename=codename).first() for app, codename in WITHDRAWN
    ]
    return group, [permission for permission in permissions if permission is not None]


def withdraw(apps, schema_editor):
    group, permissions = _provincial_permissions(apps)
    if group is not None:
        group.permissions.remove(*permissions)


def _job_view_permission(apps):
    from django.contrib.auth.management import create_permissions

    config = apps.get_app_config("django_tasks_database")
    config.models_module = True
    create_permissions(config, apps=apps, verbosity=0)
    config.models_module = None
    Permission = apps.get_model("auth", "Permission")
    return Permission.objects.filter(
        content_type__app_label="django_tasks_database", codename="view_dbtaskresult"
    ).first()


def grant_job_view(apps, schema_editor):
    permission = _job_view_permission(apps)
    for group in apps.get_model("auth", "Group").objects.filter(name__in=["Provincial staff", "National staff"]):
        group.permissions.add(permission)


def grant_again(apps, schema_editor):
    group, permissions = _provincial_permissions(apps)
    if group is not None:
        group.permissions.add(*permissions)


class Migration(migrations.Migration):
    dependencies = [
        ("certifications", "0003_unknown_terms_superseded_national"),
        ("products", "0011_category_history"),
        ("django_tasks_database", "0021_conditional_partial_index_ordering"),
    ]

    operations = [
        migrations.AlterField(
            model_name="certifiedproduct",
            name="certificate",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="entries",
                to="certifications.certificate",
                verbose_name="văn bản",
            ),
        ),
        migrations.RunPython(withdraw, grant_again),
        migrations.RunPython(grant_job_view, migrations.RunPython.noop),
    ]
