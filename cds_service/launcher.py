"""The `myositis-cds` command's entry point.

`serve` runs gevent workers, whose cooperative sockets, SSL and locks must replace the standard
library's before anything imports them (requests and urllib3 keep references to `ssl` and `socket`
objects made at import time), so the patching happens here, before the command line module and the
application are imported. The other commands run unpatched.

A configuration error (`ConfigurationError`, or the site lab-code file read when the hook services
are defined) is one line on standard error naming the variable, its value and what is wrong, and
exit status 2: no traceback.
"""

from __future__ import annotations

import sys

EXIT_CONFIGURATION = 2


def main() -> int:
    if sys.argv[1:2] == ["serve"]:
        from gevent import monkey

        monkey.patch_all()
    from cds_service.config import ConfigurationError
    from fhir_mappings.valuesets import LabCodesError

    try:
        from cds_service.command_line.cli import main as cli_main

        return cli_main()
    except (ConfigurationError, LabCodesError) as error:
        print(f"myositis-cds: configuration error: {error}", file=sys.stderr)
        return EXIT_CONFIGURATION


if __name__ == "__main__":
    sys.exit(main())
