"""A certificate's entries are protected from its deletion; provincial staff neither delete certificates
nor change the categories every province shares (national staff and superusers still may)."""

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


def grant_again(apps, schema_editor):
    group, permissions = _provincial_permissions(apps)
    if group is not None:
        group.permissions.add(*permissions)


class Migration(migrations.Migration):
    dependencies = [
        ("certifications", "0002_staff_groups"),
        ("products", "0011_category_history"),
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
    ]
