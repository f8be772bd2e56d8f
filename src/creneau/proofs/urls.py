from django.urls import path

from creneau.proofs import views

app_name = "proofs"
urlpatterns = [
    path(".well-known/jwks.json", views.jwks, name="jwks"),
    path("verifier/", views.verify, name="verify"),
]
