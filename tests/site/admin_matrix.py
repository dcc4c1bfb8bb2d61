"""Shared pieces of the province scoping matrix (tests/site/test_admin_matrix*.py): the models under test,
the staff members, and how to reach a record and its admin pages.
"""

from django.test import Client
from django.urls import reverse

# model key -> (app_label, model_name, how to get the record of a province set, its display name)
MODELS = {
    "province": ("producers", "province", lambda s: s.province, lambda s: s.province.name),
    "producer": ("producers", "producer", lambda s: s.producer, lambda s: s.producer.name),
    "product": ("products", "product", lambda s: s.product, lambda s: s.product.name),
    "certificate": ("certifications", "certificate", lambda s: s.certificate, lambda s: s.certificate.title),
    "entry": ("certifications", "certifiedproduct", lambda s: s.entry, lambda s: s.product.name),
}
HISTORY_MODELS = ["producer", "product", "certificate", "entry"]
STAFF = ["sl", "qn"]
ALL_PROVINCES = 63


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def sets(world, who):
    """(own province set, the other one) of a provincial staff member."""
    return (world.sl, world.qn) if who == "sl" else (world.qn, world.sl)


def url(model, view, *args):
    app_label, model_name, *_ = MODELS[model]
    return reverse(f"admin:{app_label}_{model_name}_{view}", args=args)


def assert_no_trace_of(response, other):
    """Nothing of the other province: its name, its records' names."""
    html = response.content.decode()
    for text in (other.province.name, other.producer.name, other.product.name, other.certificate.title):
        assert text not in html, f"{text!r} leaked into {response.request['PATH_INFO']}"
