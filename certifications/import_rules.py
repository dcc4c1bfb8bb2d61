"""What the decision import checks beyond each cell's format, and under which column it says so.

A signing date before the OCOP programme or in the future is the date's error (and the lines "as above"
point to the line that wrote it); a model's validation error goes under the column of the field it names.
"""

from core import validity
from core.validity import CertificateKind

from .resources import CATEGORY, DATE, ISSUER, NUMBER, PRODUCER, PRODUCER_KIND, PRODUCT, TITLE

# The column of the file that holds what a model's validation error is about (other fields: the row's main column).
CERTIFICATE_COLUMNS = {"number": NUMBER, "issued_on": DATE, "valid_until": DATE, "issuer": ISSUER, "title": TITLE}
PRODUCER_COLUMNS = {"name": PRODUCER, "kind": PRODUCER_KIND}
PRODUCT_COLUMNS = {"name": PRODUCT, "category": CATEGORY}


def add_errors(exc, errors, column, columns=None):
    """A model's ValidationError as the row's errors, each under the column of the field it names."""
    for field, messages in exc.message_dict.items():
        for message in messages:
            errors.add((columns or {}).get(field, column), message)


def signing_date_problem(day):
    """Why a signing date cannot be an OCOP decision's, or None: before the national programme (2018), or in
    the future (the rule every certificate follows: core.validity.certificate_errors)."""
    return validity.certificate_errors(kind=CertificateKind.OCOP, issued_on=day, valid_until=None).get("issued_on")
