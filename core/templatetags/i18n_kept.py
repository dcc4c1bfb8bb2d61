"""`{% load i18n_kept %}`: Django's `i18n` library, with `{% translate %}` of a literal text translated and
escaped once per process and language instead of on every render. The public pages load it; the admin's
templates keep Django's.

A page's shell and content hold ~30 such texts; Django's node makes a lazy translation of each, then
casts, localizes and escapes it on every render (~5 µs each, a sixth of the page's template time in the
shell). A text with filters, a variable, or a context given by a variable is rendered as Django renders it.
Nothing is kept with DEBUG on or after a setting changes (the catalogues may have changed).
"""

from django import template
from django.conf import settings
from django.core.signals import setting_changed
from django.templatetags import i18n
from django.utils.translation import get_language

register = template.Library()
register.tags.update(i18n.register.tags)
register.filters.update(i18n.register.filters)

# A bound, as in core/templatetags/kept.py: the literal texts of the templates in two languages are far fewer.
MAX_KEPT = 4096
_KEPT = {}


class KeptTranslateNode(i18n.TranslateNode):
    def __init__(self, filter_expression, noop, asvar=None, message_context=None):
        super().__init__(filter_expression, noop, asvar, message_context)
        var = self.filter_expression.var
        context_is_literal = message_context is None or (not message_context.is_var and not message_context.filters)
        literal = getattr(var, "literal", None)  # None for `_("text")`, which compiles to no Variable
        plain = not noop and not self.filter_expression.filters
        self.literal = plain and isinstance(literal, str) and context_is_literal
        if self.literal:
            context = message_context.var if message_context is not None else None
            self.message = (literal, context)

    def render(self, context):
        if not self.literal or settings.DEBUG:
            return super().render(context)
        key = (*self.message, get_language(), context.autoescape)
        value = _KEPT.get(key)
        if value is None:
            rendered = super().render(context)  # Django's node, once: with `as` it sets the variable instead
            value = context[self.asvar] if self.asvar else rendered
            if len(_KEPT) < MAX_KEPT:
                _KEPT[key] = value
        if self.asvar:
            context[self.asvar] = value
            return ""
        return value


@register.tag("translate")
@register.tag("trans")
def do_translate(parser, token):
    node = i18n.do_translate(parser, token)
    return KeptTranslateNode(node.filter_expression, node.noop, node.asvar, node.message_context)


def forget_all(**kwargs):
    _KEPT.clear()


setting_changed.connect(forget_all, dispatch_uid="core.templatetags.i18n_kept.forget_all")
