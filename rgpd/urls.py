from django.urls import path

from . import views

app_name = "rgpd"

urlpatterns = [
    path("droit-acces/", views.droit_acces, name="droit_acces"),
    path("droit-acces/<uuid:public_id>/telecharger/", views.telecharger, name="telecharger"),
    path("conservation/", views.conservation, name="conservation"),
    path("acces-inhabituels/", views.acces_inhabituels, name="acces_inhabituels"),
    path("conservation/<uuid:public_id>/anonymiser/", views.anonymiser, name="anonymiser"),
]
