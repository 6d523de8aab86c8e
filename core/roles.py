"""The roles of the people who sign in (SPEC.md section 1) and the groups the rules name.

The User model stores a role; every app asks here what a role may be counted as, so a group
such as "the people who run the day" is written once.
"""

from django.db import models


class Role(models.TextChoices):
    PATIENT = "patient", "Patient"
    NURSE = "nurse", "Nurse"
    CLINICIAN = "clinician", "Clinician"
    THERAPIST = "therapist", "Therapist"
    ADMIN = "admin", "Clinic admin / front desk"


STAFF_ROLES = (Role.NURSE, Role.CLINICIAN, Role.THERAPIST, Role.ADMIN)
BOOKING_STAFF_ROLES = (Role.ADMIN, Role.NURSE, Role.CLINICIAN)  # front desk work: book, move, cancel
LIFECYCLE_ROLES = (Role.ADMIN, Role.NURSE, Role.CLINICIAN)  # check in, start, complete, no-show
SCHEDULE_ROLES = (Role.NURSE, Role.CLINICIAN, Role.THERAPIST, Role.ADMIN)
