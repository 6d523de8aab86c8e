from django.urls import include, path

from web.staff import feed as staff_feed
from web.views import account, appointments, auth, book, public

urlpatterns = [
    path("", public.home, name="home"),
    path("language/", public.language_switch, name="language"),
    path("signin/", auth.sign_in, name="signin"),
    path("signup/", auth.sign_up, name="signup"),
    path("signout/", auth.sign_out, name="signout"),
    path("book/", book.book, name="book"),
    path("book/review/", book.book_review, name="book-review"),
    path("book/confirm/", book.book_confirm, name="book-confirm"),
    path("account/", account.account, name="account"),
    path("account/series/", account.series, name="account-series"),
    path("account/series/booked/", account.series_booked, name="account-series-booked"),
    path("account/waitlist/", account.waitlist, name="account-waitlist"),
    path("account/contact-preferences/", account.contact_preferences, name="account-contact"),
    path("appointments/<uuid:appointment_id>/", appointments.appointment_detail, name="appointment"),
    path(
        "appointments/<uuid:appointment_id>/calendar.ics",
        appointments.appointment_calendar,
        name="appointment-calendar",
    ),
    path(
        "appointments/<uuid:appointment_id>/cancel/",
        appointments.appointment_cancel_page,
        name="appointment-cancel",
    ),
    path(
        "appointments/<uuid:appointment_id>/reschedule/",
        appointments.appointment_reschedule_days,
        name="appointment-reschedule",
    ),
    path(
        "appointments/<uuid:appointment_id>/reschedule/review/",
        appointments.appointment_reschedule_review,
        name="appointment-reschedule-review",
    ),
    path(
        "appointments/<uuid:appointment_id>/reschedule/confirm/",
        appointments.appointment_reschedule_confirm,
        name="appointment-reschedule-confirm",
    ),
    path(
        "appointments/<uuid:appointment_id>/readiness/",
        appointments.appointment_readiness,
        name="appointment-readiness",
    ),
    path("staff/", include("web.staff.urls")),
    path("calendar/<str:token>.ics", staff_feed.calendar_feed, name="calendar-feed"),
]
