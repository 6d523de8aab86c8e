"""Local development (`make run`): SQLite, console email, the embedded broker."""

from config.settings.base import *  # noqa: F403

DEBUG = env.bool("DEBUG", default=True)  # noqa: F405
