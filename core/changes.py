"""Which fields a save is about to change: so that signals recompute what depends on them only when needed.

    @receiver(pre_save, sender=Category)
    def remember(sender, instance, raw=False, **kwargs):
        remember_changes(instance, ("name", "name_en"))

    @receiver(post_save, sender=Category)
    def saved(sender, instance, created, raw=False, **kwargs):
        if not created and not raw and has_changes(instance):
            ...  # refresh the products that fold in the category's name

One query per save of an existing row. Without the pre_save step (a save from elsewhere, or from
code that bypassed it) has_changes() says True: refreshing too often is safe, too rarely is not.
"""

ATTRIBUTE = "_catalogue_changed_fields"


def remember_changes(instance, fields):
    """Store on `instance` which of `fields` (attribute names) differ from the row in the database."""
    if instance.pk is None or instance._state.adding:
        setattr(instance, ATTRIBUTE, set(fields))
        return
    stored = type(instance)._default_manager.filter(pk=instance.pk).values(*fields).first()
    if stored is None:
        changed = set(fields)
    else:
        changed = {field for field in fields if stored[field] != getattr(instance, field)}
    setattr(instance, ATTRIBUTE, changed)


def has_changes(instance) -> bool:
    changed = getattr(instance, ATTRIBUTE, None)
    return True if changed is None else bool(changed)
