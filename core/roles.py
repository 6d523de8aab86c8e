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


# One group per meaning; a rule, a page's link and a template ask the same group.
# Everyone who works at the clinic: the staff pages, the day's schedule, their calendar feed.
STAFF_ROLES = (Role.NURSE, Role.CLINICIAN, Role.THERAPIST, Role.ADMIN)
# Who run the visits: book, move and cancel for a patient; check in, start, complete, no-show;
# the day board and the patients' pages.
BOOKING_STAFF_ROLES = (Role.ADMIN, Role.NURSE, Role.CLINICIAN)
# The care team, who read and write the clinical record: whole evaluations, session records and
# their vitals alerts, questionnaires on a patient's behalf, outcomes, the plan's dose on the
# schedule, the controlled-substance log.
CARE_TEAM_ROLES = (Role.NURSE, Role.CLINICIAN)
# Who read the clinic's reports (outcomes, controlled substances): figures for running the clinic.
REPORT_READER_ROLES = (Role.CLINICIAN, Role.ADMIN)
# Who decide a treatment plan's course once it runs: resume a plan a positive pregnancy test
# suspended, or end a plan (its booked appointments cancelled).
PLAN_DECIDER_ROLES = (Role.CLINICIAN,)
