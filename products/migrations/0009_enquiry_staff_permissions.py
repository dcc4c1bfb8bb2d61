"""Staff of both groups read, update and delete the enquiries of their provinces (admin scoping narrows the rows).

Nobody adds an enquiry in the admin: enquiries come from buyers. Depends on the migration that creates
the groups (certifications 0002), which sets their permissions wholesale; this one adds to them.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUPS = ("Provincial staff", "National staff")
CODENAMES = ("view_enquiry", "change_enquiry", "delete_enquiry")


def grant(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permissions = list(Permission.objects.filter(content_type__app_label="products", codename__in=CODENAMES))
    for group in Group.objects.filter(name__in=GROUPS):
        group.permissions.add(*permissions)


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permissions = Permission.objects.filter(content_type__app_label="products", codename__in=CODENAMES)
    for group in Group.objects.filter(name__in=GROUPS):
        group.permissions.remove(*permissions)


class Migration(migrations.Migration):
    dependencies = [
        ("products", "0008_enquiry"),
        ("certifications", "0002_staff_groups"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
