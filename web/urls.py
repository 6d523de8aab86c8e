from django.urls import include, path

from web import booking_flow as flow
from web.booking_flow.audience import PATIENT
from web.staff import feed as staff_feed
from web.views import account, appointments, auth, dev_mail, public, signup
from web.views import consent as consent_pages
from web.views import letters as letter_pages
from web.views import questionnaires as questionnaire_pages

urlpatterns = [
    path("", public.home, name="home"),
    path("language/", public.language_switch, name="language"),
    path("signin/", auth.sign_in, name="signin"),
    path("signup/", signup.sign_up, name="signup"),
    path("signup/sent/", signup.sign_up_sent, name="signup-sent"),
    path("signup/confirm/<str:token>/", signup.sign_up_confirm, name="signup-confirm"),
    path("signout/", auth.sign_out, name="signout"),
    path("book/", flow.ChooseTime.as_view(audience=PATIENT), name="book"),
    path("book/review/", flow.ReviewBooking.as_view(audience=PATIENT), name="book-review"),
    path("book/confirm/", flow.ConfirmBooking.as_view(audience=PATIENT), name="book-confirm"),
    path("account/", account.account, name="account"),
    path("account/series/", account.series, name="account-series"),
    path("account/series/booked/", account.series_booked, name="account-series-booked"),
    path("account/waitlist/", account.waitlist, name="account-waitlist"),
    path("account/contact-preferences/", account.contact_preferences, name="account-contact"),
    path("account/export/", account.data_export, name="account-export"),
    path("account/consent/", consent_pages.consent_page, name="account-consent"),
    path("account/consents/<uuid:consent_id>/pdf/", consent_pages.consent_pdf_download, name="account-consent-pdf"),
    path("account/letters/", letter_pages.letters_page, name="account-letters"),
    path("account/letters/<uuid:letter_id>/pdf/", letter_pages.letter_pdf_page, name="account-letter-pdf"),
    path(
        "account/questionnaires/<uuid:questionnaire_id>/",
        questionnaire_pages.questionnaire_page,
        name="account-questionnaire",
    ),
    path("appointments/<uuid:appointment_id>/", appointments.appointment_detail, name="appointment"),
    path(
        "appointments/<uuid:appointment_id>/calendar.ics",
        appointments.appointment_calendar,
        name="appointment-calendar",
    ),
    path(
        "appointments/<uuid:appointment_id>/cancel/",
        flow.CancelAppointment.as_view(audience=PATIENT),
        name="appointment-cancel",
    ),
    path(
        "appointments/<uuid:appointment_id>/reschedule/",
        flow.ChooseNewTime.as_view(audience=PATIENT),
        name="appointment-reschedule",
    ),
    path(
        "appointments/<uuid:appointment_id>/reschedule/review/",
        flow.ReviewMove.as_view(audience=PATIENT),
        name="appointment-reschedule-review",
    ),
    path(
        "appointments/<uuid:appointment_id>/reschedule/confirm/",
        flow.ConfirmMove.as_view(audience=PATIENT),
        name="appointment-reschedule-confirm",
    ),
    path(
        "appointments/<uuid:appointment_id>/readiness/",
        appointments.appointment_readiness,
        name="appointment-readiness",
    ),
    path("staff/", include("web.staff.urls")),
    path("calendar/<str:token>.ics", staff_feed.calendar_feed, name="calendar-feed"),
    # Accounts and access (SPEC.md section 11): the second factor, the reset, ending sessions.
    path("signin/code/", auth.sign_in_code, name="signin-code"),
    path("signin/enrol/", auth.sign_in_enrol, name="signin-enrol"),
    path("signin/enrol/qr.svg", auth.sign_in_enrol_qr, name="signin-enrol-qr"),
    path("signin/recovery-codes/", auth.recovery_codes, name="recovery-codes"),
    path("signout/everywhere/", auth.sign_out_everywhere, name="signout-everywhere"),
    path("password-reset/", auth.password_reset, name="password-reset"),
    path("password-reset/sent/", auth.password_reset_sent, name="password-reset-sent"),
    path("password-reset/<str:uidb64>/<str:token>/", auth.password_reset_set, name="password-reset-confirm"),
    path("account/security/", auth.security, name="security"),
    path("account/security/qr.svg", auth.security_qr, name="security-qr"),
    # The demo mailbox of `make run`; 404 unless the development settings turn it on.
    path("dev/mail/", dev_mail.dev_mailbox, name="dev-mailbox"),
]
