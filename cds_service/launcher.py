"""The `myositis-cds` command's entry point.

`serve` runs gevent workers, whose cooperative sockets, SSL and locks must replace the standard
library's before anything imports them (requests and urllib3 keep references to `ssl` and `socket`
objects made at import time), so the patching happens here, before the command line module and the
application are imported. The other commands run unpatched.
"""

from __future__ import annotations

import sys


def main() -> int:
    if sys.argv[1:2] == ["serve"]:
        from gevent import monkey

        monkey.patch_all()
    from cds_service.cli import main as cli_main

    return cli_main()


if __name__ == "__main__":
    sys.exit(main())
