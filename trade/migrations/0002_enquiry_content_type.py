"""The enquiry's content type follows the model: products.enquiry becomes trade.enquiry.

Its permissions (view, change and delete, which products 0009 granted to the staff groups) hang on the
content type, so renaming it keeps every group's and user's enquiry permissions and the admin log.
No historical model tracks enquiries, so there is nothing else to rename.
"""

from django.db import migrations

MODEL = "enquiry"


def relabel(apps, old, new):
    ContentType = apps.get_model("contenttypes", "ContentType")
    current = ContentType.objects.filter(app_label=old, model=MODEL).first()
    if current is None:
        return
    # A content type already made under the new label (post_migrate of a partial run) holds only fresh,
    # ungranted permissions: the old one, with the grants, replaces it.
    ContentType.objects.filter(app_label=new, model=MODEL).delete()
    current.app_label = new
    current.save(update_fields=["app_label"])
    ContentType.objects.clear_cache()


def forwards(apps, schema_editor):
    relabel(apps, "products", "trade")


def backwards(apps, schema_editor):
    relabel(apps, "trade", "products")


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("trade", "0001_initial"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
