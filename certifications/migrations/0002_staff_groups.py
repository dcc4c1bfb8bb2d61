"""The two staff groups of the back-office and their permissions.

"Provincial staff" keep their provinces' producers, products and certificates (what they see is
narrowed to their provinces by core.admin.scoping); "National staff" may do the same for
every province. Neither manages accounts: that stays with superusers. Lives in the certifications app
because it names permissions of all three catalogue apps, and certifications may depend on the others.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

CRUD = ("add", "change", "delete", "view")

PROVINCIAL = {
    ("producers", "province"): ("view",),
    ("producers", "producer"): CRUD,
    ("products", "productgroup"): ("view",),
    ("products", "category"): ("add", "change", "view"),
    ("products", "product"): CRUD,
    ("products", "productimage"): CRUD,
    ("certifications", "certificate"): CRUD,
    ("certifications", "certifiedproduct"): CRUD,
}
NATIONAL = {
    **PROVINCIAL,
    ("products", "category"): CRUD,
    ("producers", "staffprovince"): ("view",),
}
GROUPS = {"Provincial staff": PROVINCIAL, "National staff": NATIONAL}


def create_groups(apps, schema_editor):
    # Permissions are normally created after all migrations; make sure they exist already.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, grants in GROUPS.items():
        group, _ = Group.objects.get_or_create(name=name)
        codenames = [
            (app_label, f"{action}_{model}") for (app_label, model), actions in grants.items() for action in actions
        ]
        permissions = [
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
            for app_label, codename in codenames
        ]
        group.permissions.set(permissions)


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=GROUPS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("producers", "0002_load_provinces"),
        ("products", "0003_search_trigram_index"),
        ("certifications", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
