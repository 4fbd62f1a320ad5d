package dev.mistralgateway.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * A {@link RedisServer} of its own for a {@code @QuarkusTest} profile, and the gateway pointed at it. Without
 * redis-server it configures nothing: the test class calls {@link RedisServer#requireInstalled()} to skip or fail.
 */
public class RedisResource implements QuarkusTestResourceLifecycleManager {

    private RedisServer redis;

    @Override
    public Map<String, String> start() {
        if (RedisServer.executable().isEmpty()) {
            return Map.of();
        }
        try {
            redis = RedisServer.start("test-redis-password-000000");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        // deny: a test cannot pass on the per-pod fallback and hide a Redis fault; 2 s: the machine is shared.
        return Map.of("quarkus.redis.hosts", redis.url(), "quarkus.redis.password", redis.password(),
                "gateway.state.on-failure", "deny", "gateway.state.timeout", "2s");
    }

    @Override
    public void stop() {
        try {
            if (redis != null) {
                redis.close();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
