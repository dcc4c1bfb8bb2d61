"""`{% validity_terms as terms %}`: the numbers of the validity rule (core.validity.terms) for templates,
e.g. `{% blocktranslate with days=terms.days %}… {{ days }} ngày …{% endblocktranslate %}`."""

from django import template

from core import validity

register = template.Library()


@register.simple_tag
def validity_terms():
    return validity.terms()
