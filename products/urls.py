from django.urls import include, path

from . import views

app_name = "products"

urlpatterns = [
    path("products/", views.product_list, name="product_list"),
    path("products/export.csv", views.product_export_csv, name="export_csv"),
    path("products/<slug:slug>/", views.product_detail, name="product_detail"),
    path("products/<slug:slug>/qr.svg", views.product_qr, name="product_qr"),
    path("products/<slug:slug>/label/", views.product_label, name="product_label"),
    path("", include("products.trade_urls")),  # shortlist, enquiries, XLSX and open data (issue 5)
]
