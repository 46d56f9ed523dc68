"""`python -m bench.floor_server --port P --workers N`: the floor (`bench/floor.py`) served the way
`myositis-cds serve` serves the service (gunicorn, gevent workers, the same keep-alive and
connections), so HTTP figures of the two compare the applications, not the servers."""

from __future__ import annotations

from gevent import monkey

monkey.patch_all()  # before anything imports socket or ssl, as cds_service.launcher does

import argparse
import math
from collections.abc import Callable
from typing import Any

from gunicorn.app.base import BaseApplication

from bench.floor import floor_app
from cds_service.config import Settings
from cds_service.server import serving


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.floor_server")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    settings = Settings.from_env()
    app = floor_app(settings.max_body_bytes)

    class Server(BaseApplication):
        def load_config(self) -> None:
            self.cfg.set("bind", f"127.0.0.1:{args.port}")
            self.cfg.set("workers", args.workers)
            self.cfg.set("worker_class", "gevent")
            self.cfg.set("worker_connections", serving.WORKER_CONNECTIONS)
            self.cfg.set("keepalive", max(1, math.ceil(settings.header_read_timeout)))
            self.cfg.set("preload_app", True)
            self.cfg.set("control_socket_disable", True)

        def load(self) -> Callable[..., Any]:
            return app

    Server().run()


if __name__ == "__main__":
    main()
