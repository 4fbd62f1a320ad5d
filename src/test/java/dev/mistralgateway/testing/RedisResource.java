package dev.mistralgateway.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.HashMap;
import java.util.Map;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * A {@link RedisServer} of its own for a {@code @QuarkusTest} profile, and the gateway pointed at it. Without
 * redis-server it configures nothing: the test class calls {@link RedisServer#requireInstalled()} to skip or fail.
 * A profile's {@code TestResourceEntry} arguments are configuration that replaces the defaults below.
 */
public class RedisResource implements QuarkusTestResourceLifecycleManager {

    private RedisServer redis;
    private Map<String, String> overrides = Map.of();

    @Override
    public void init(Map<String, String> initArgs) {
        overrides = Map.copyOf(initArgs);
    }

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
        Map<String, String> config = new HashMap<>(Map.of("quarkus.redis.hosts", redis.url(),
                "quarkus.redis.password", redis.password(), "gateway.state.on-failure", "deny",
                "gateway.state.timeout", "2s"));
        config.putAll(overrides);
        return config;
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
