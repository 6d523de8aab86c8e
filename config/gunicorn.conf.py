"""Gunicorn settings for the container (`gunicorn -c config/gunicorn.conf.py config.wsgi:application`).

Everything is tunable through environment variables, like the Django settings:
PORT (8000), WEB_CONCURRENCY (3 worker processes), GUNICORN_THREADS (1), GUNICORN_TIMEOUT (30 s),
GUNICORN_LOG_LEVEL (info). FORWARDED_ALLOW_IPS is read by gunicorn itself.
"""

import os


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


wsgi_app = "config.wsgi:application"
bind = f"0.0.0.0:{_int('PORT', 8000)}"

# Sync workers; with GUNICORN_THREADS > 1 gunicorn switches to the threaded worker by itself.
workers = _int("WEB_CONCURRENCY", 3)
threads = _int("GUNICORN_THREADS", 1)

# A request that runs longer than this is killed and its worker restarted.
timeout = _int("GUNICORN_TIMEOUT", 30)
# Time given to in-flight requests on SIGTERM (docker stop waits 10 s unless stop_grace_period says more).
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
# Seconds an idle keep-alive connection (from the reverse proxy) is held open.
keepalive = _int("GUNICORN_KEEPALIVE", 5)

# Recycle workers now and then so a slow leak cannot grow without bound; the jitter keeps them
# from all restarting at once.
max_requests = _int("GUNICORN_MAX_REQUESTS", 1000)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", 100)

# Worker heartbeat files on tmpfs: /tmp in a container may sit on an overlay filesystem whose
# fsync stalls would make healthy workers look dead.
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None

# Logs go to the container's output: access log on stdout, errors on stderr.
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# Client address as the proxy saw it, then the usual combined format, then the request time in µs.
access_log_format = '%({x-forwarded-for}i)s %(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(D)s'

# The runtime control socket (gunicornc) is of no use in a container, whose orchestrator starts,
# stops and scales it; and the default path under $HOME is not writable by the app user.
control_socket_disable = True
