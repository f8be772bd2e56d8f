"""The Django admin is a back-office door too: a password alone does not open it."""

import pytest
from django.contrib.auth import get_user_model

pytestmark = pytest.mark.django_db


def test_the_admin_refuses_a_superuser_without_a_verified_second_factor(client):
    get_user_model().objects.create_superuser("root.admin", "root@example.org", "a-long-password-for-admin")
    client.login(username="root.admin", password="a-long-password-for-admin")
    response = client.get("/admin/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]


def test_the_admin_login_form_asks_for_the_code(client):
    page = client.get("/admin/login/").content.decode()
    assert 'name="otp_token"' in page
