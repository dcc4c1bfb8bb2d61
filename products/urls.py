from django.urls import path

from . import views

app_name = "products"

urlpatterns = [
    path("products/", views.product_list, name="product_list"),
    path("products/<slug:slug>/", views.product_detail, name="product_detail"),
    path("products/<slug:slug>/qr.svg", views.product_qr, name="product_qr"),
    path("products/<slug:slug>/label/", views.product_label, name="product_label"),
]
