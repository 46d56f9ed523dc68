#!/usr/bin/env bash
# Installs Debian's PostgreSQL and Redis servers when missing, for the tests of the shared backends
# (tests/storage). The tests start their own servers on loopback in a temporary directory; the
# packages' default cluster and service are not wanted, so none is created or started here.
set -euo pipefail

missing=()
compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || missing+=(postgresql)
command -v redis-server >/dev/null || missing+=(redis-server)
if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
    echo "tests/servers/install.sh: not root, cannot install ${missing[*]}; their tests will be skipped" >&2
    exit 0
fi
if [[ " ${missing[*]} " == *" postgresql "* && ! -e /etc/postgresql-common/createcluster.conf ]]; then
    mkdir -p /etc/postgresql-common  # no default cluster: the tests make their own
    echo "create_main_cluster = false" > /etc/postgresql-common/createcluster.conf
fi
# Debian's maintainer scripts must not start the servers: the tests run their own.
policy=/usr/sbin/policy-rc.d
had_policy=0; [ -e "$policy" ] && had_policy=1
[ $had_policy -eq 1 ] || { printf '#!/bin/sh\nexit 101\n' > "$policy"; chmod +x "$policy"; }
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends -o Dpkg::Options::=--force-confold "${missing[@]}" >/dev/null
[ $had_policy -eq 1 ] || rm -f "$policy"
