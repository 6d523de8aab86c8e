HEARTBEAT_CACHE_KEY = "celery:worker-heartbeat"
