"""Applicant's appointment documents: convocation PDF and calendar file (issue 5)."""

from django.urls import path

from .views import appointment

urlpatterns = [
    path("suivi/<str:reference>/convocation.pdf", appointment.convocation_pdf, name="convocation_pdf"),
    path("suivi/<str:reference>/rendez-vous.ics", appointment.calendar_ics, name="appointment_ics"),
]
