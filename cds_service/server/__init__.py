"""Running the service in production: `myositis-cds serve`.

Owns the gunicorn server with gevent workers (`serving`: worker model, read timeouts, Prometheus
multiprocess set-up, warm-up calls from `warmup/`), its log lines, text or JSON (`log_format`), and the
escaping of control characters that keeps one event one line (`logs`). It may import `protocol`,
`security`, `storage` and the shared modules (`config`, `errors`, `metrics`); only `command_line` imports
it. `serving` sets `PROMETHEUS_MULTIPROC_DIR` before anything imports `cds_service.metrics`, so it
imports the app lazily.
"""
