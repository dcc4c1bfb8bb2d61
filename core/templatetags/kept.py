"""`{% kept "name" key… %}…{% endkept %}`: a piece of a page that is the same on every page with the
same keys (and language) rendered once per process, then reused.

For the page's shell: the footer and most of the header are the same on every page of a language,
and as template nodes they cost ~1 ms of CPU on each (profiled), more than the product page's own
statements. Only what the keys name may vary inside a kept block; whatever varies with the visitor or
the page (the other language's address, the shortlist, the words searched for) stays outside.
Nothing is kept with DEBUG on (an edited template shows at once) or after a setting changes.
"""

from django import template
from django.conf import settings
from django.core.signals import setting_changed
from django.utils.translation import get_language

register = template.Library()

# A bound on what a mistake could make it hold (a key that varies per page): past it, nothing more is kept.
MAX_KEPT = 500
_KEPT = {}


class KeptNode(template.Node):
    def __init__(self, nodelist, name, keys):
        self.nodelist, self.name, self.keys = nodelist, name, keys

    def render(self, context):
        if settings.DEBUG:
            return self.nodelist.render(context)
        key = (self.name, get_language(), *(str(key.resolve(context)) for key in self.keys))
        html = _KEPT.get(key)
        if html is None:
            html = self.nodelist.render(context)
            if len(_KEPT) < MAX_KEPT:
                _KEPT[key] = html
        return html


@register.tag
def kept(parser, token):
    bits = token.split_contents()
    if len(bits) < 2:
        raise template.TemplateSyntaxError("{% kept %} needs a name: {% kept 'footer' [key …] %}")
    nodelist = parser.parse(("endkept",))
    parser.delete_first_token()
    return KeptNode(nodelist, parser.compile_filter(bits[1]).resolve({}), [parser.compile_filter(b) for b in bits[2:]])


def forget_all(**kwargs):
    _KEPT.clear()


setting_changed.connect(forget_all, dispatch_uid="core.templatetags.kept.forget_all")
