"""Enquiry now belongs to the trade app (trade 0001 takes it over): removed from this app's state only.

The tables products_enquiry and products_enquiry_products stay, with their rows, under trade's model.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("products", "0009_enquiry_staff_permissions"),
        ("trade", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[migrations.DeleteModel(name="Enquiry")]),
    ]
