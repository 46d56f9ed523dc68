from __future__ import annotations

import pytest

from tests.smoke.installed import Installed, build_and_install


@pytest.fixture(scope="session")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Installed:
    """One wheel and one runtime-only virtualenv for the smoke tests of the session."""
    return build_and_install(tmp_path_factory.mktemp("installed"))
