"""Log output: plain text (default) or one JSON object per line (`CDS_LOG_FORMAT=json`).

In JSON every line the process writes is an object with `time`, `level`, `logger` and `message`,
plus the structured fields a line carries (`LOG_FIELDS`: service, hookInstance, status, ms, cards,
iss, jti; the access line's method, path, bytes). The gunicorn server's own start-up and access
lines go through the same formatter (`JsonGunicornLogger`). Fields are an allowlist: nothing else a
log call attaches reaches the output, and no line carries a token, a query string or patient data.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import datetime, timezone
from typing import Any

from gunicorn.glogging import Logger as GunicornLogger

LOG_FORMATS = ("text", "json")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"
#: Structured fields copied from a log record's `extra` into the JSON object.
LOG_FIELDS = ("service", "hookInstance", "status", "ms", "cards", "gaps", "iss", "jti", "method", "path", "bytes")


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update({name: getattr(record, name) for name in LOG_FIELDS if getattr(record, name, None) is not None})
        if record.exc_info and record.exc_info[0] is not None:
            entry["exception"] = record.exc_info[0].__name__  # the type only: a message may quote patient data
        return json.dumps(entry, ensure_ascii=True, default=str)


def formatter(log_format: str) -> logging.Formatter:
    return JsonFormatter() if log_format == "json" else logging.Formatter(TEXT_FORMAT)


def configure(level: str, log_format: str) -> None:
    """Send every logger's records to standard error in `log_format` (replacing earlier handlers)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter(log_format))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)


class JsonGunicornLogger(GunicornLogger):
    """Gunicorn's error and access logs as JSON lines; the access line is structured (method, path
    without the query string, status, bytes, ms) instead of gunicorn's formatted text."""

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        for log in (self.error_log, self.access_log):
            for handler in log.handlers:
                handler.setFormatter(JsonFormatter())

    def access(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> None:
        if not (self.cfg.accesslog or self.cfg.logconfig or self.cfg.logconfig_dict or self.cfg.syslog):
            return
        status = resp.status.split(None, 1)[0] if isinstance(resp.status, str) else resp.status
        self.access_log.info("access", extra={
            "method": environ.get("REQUEST_METHOD"),
            "path": environ.get("PATH_INFO"),
            "status": int(status),
            "bytes": getattr(resp, "sent", None),
            "ms": round(request_time.total_seconds() * 1000, 1),
        })
