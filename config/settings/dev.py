"""Local development (`make run`): SQLite, messages in the demo mailbox or the log, the private Redis
or the filesystem broker."""

from config.settings.base import *  # noqa: F403
from config.settings.base import env

DEBUG = env.bool("DEBUG", default=True)

# The demo mailbox: `make run` sets DEV_MAILBOX_DIR (under its run directory); every email and
# text message is then kept there as a file and shown at /dev/mail/, unless EMAIL_URL or
# SMS_BACKEND says where they go. Never in production (production.py builds on base.py, not this).
DEV_MAILBOX_DIR = env("DEV_MAILBOX_DIR", default="")
if DEV_MAILBOX_DIR and not env("EMAIL_URL", default=""):
    EMAIL_BACKEND = "core.mail_backends.MailboxEmailBackend"
if DEV_MAILBOX_DIR and not env("SMS_BACKEND", default=""):
    SMS_BACKEND = "notifications.sms.MailboxSmsBackend"
