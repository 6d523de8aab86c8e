"""Writes of the booking app, by subdomain: appointments, evaluations, treatment plans."""
