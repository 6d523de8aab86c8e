"""Writes of the booking app, by subject: appointments (book, move, cancel), the day's lifecycle, the
re-check and choice of resources, the history, the waitlist, calendar feeds."""
