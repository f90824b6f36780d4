import pytest

#: every module of the suite: `pytestmark = CONCURRENCY`
CONCURRENCY = [pytest.mark.postgres, pytest.mark.concurrency]
