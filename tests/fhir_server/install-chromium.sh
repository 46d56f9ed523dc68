#!/usr/bin/env bash
# Installs Debian's chromium and chromium-driver for the demo page's browser tests
# (tests/fhir_server/test_demo_page.py), when they are missing. Needs root and Debian's registry, as CI
# has; elsewhere it says why it cannot and the browser tests are skipped with that reason.
set -u
if command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1; then
    exit 0
fi
if [ "$(id -u)" != "0" ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "install-chromium: chromium/chromedriver missing and not root with apt-get: the browser tests will be skipped" >&2
    exit 0
fi
echo "install-chromium: installing Debian's chromium and chromium-driver (once)" >&2
export DEBIAN_FRONTEND=noninteractive
if ! { apt-get update -qq && apt-get install -y -qq chromium chromium-driver >/dev/null; }; then
    echo "install-chromium: apt-get install failed: the browser tests will be skipped" >&2
fi
exit 0
