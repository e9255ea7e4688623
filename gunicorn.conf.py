"""Gunicorn settings for verbund (used by the Dockerfile's CMD: ``-c gunicorn.conf.py``).

Every value can be tuned from the environment; see .env.example.
"""

import os

# Where to listen. In the container: all interfaces, port 8000.
bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")

# Synchronous workers, one per CPU core unless WEB_CONCURRENCY says otherwise.
# Note: os.cpu_count() sees the host's cores, not a container CPU limit; set
# WEB_CONCURRENCY when the container is limited.
worker_class = "sync"
workers = int(os.environ.get("WEB_CONCURRENCY") or os.cpu_count() or 1)

# A request that takes longer than this kills its worker (PDF export included).
timeout = int(os.environ.get("GUNICORN_TIMEOUT") or 60)
graceful_timeout = 30
keepalive = 5

# Recycle workers now and then so that slow leaks cannot accumulate; the jitter
# keeps them from all restarting at once.
max_requests = 1000
max_requests_jitter = 100

# Logs to the container's stdout/stderr.
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")

# Proxies whose X-Forwarded-* headers gunicorn trusts (comma-separated IPs, or *
# when only the reverse proxy can reach the container).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
