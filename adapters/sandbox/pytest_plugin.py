"""pytest fixtures for any test that needs the partner sandboxes.

Load it from the root conftest: `pytest_plugins = ["adapters.sandbox.pytest_plugin"]`.
`sandboxes` (one per installed bank, per session, own data dir) gives `SandboxUrls`;
`sandbox_faults_cleared` clears every bank's faults before and after a test.
"""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from adapters.sandbox.testing import SandboxUrls, clear_faults, running_sandboxes


@pytest.fixture(scope="session")
def sandbox_data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("couchbank-data")


@pytest.fixture(scope="session")
def sandboxes(sandbox_data_dir: Path) -> Iterator[SandboxUrls]:
    with running_sandboxes(sandbox_data_dir) as urls:
        yield urls


@pytest.fixture
def sandbox_faults_cleared(sandboxes: SandboxUrls) -> Iterator[SandboxUrls]:
    for _, url in sandboxes.items():
        clear_faults(url)
    yield sandboxes
    for _, url in sandboxes.items():
        clear_faults(url)
