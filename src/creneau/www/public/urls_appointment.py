"""Applicant's appointment documents: convocation PDF and calendar file (issue 5)."""

urlpatterns: list = []
