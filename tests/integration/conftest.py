import pytest

from tests.integration.support import Broker, only_with_redis, private_redis


@pytest.fixture(params=["filesystem", pytest.param("redis", marks=only_with_redis)])
def broker(request, tmp_path):
    """The worker's broker: kombu's filesystem transport (what `make run` uses) and, in CI's Redis
    run, Redis (what production uses), on a private server."""
    if request.param == "filesystem":
        yield Broker.filesystem(tmp_path / "broker")
        return
    with private_redis(tmp_path / "redis") as server:
        yield Broker(redis_url=server.url)
