"""Proof of waiting and public statistics (issue 6)."""

urlpatterns: list = []
