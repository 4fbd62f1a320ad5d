package dev.mistralgateway.security;

import java.util.List;

import jakarta.enterprise.inject.Typed;

import org.junit.jupiter.api.extension.ExtendWith;

import dev.mistralgateway.testing.RedisResource;
import dev.mistralgateway.testing.RedisServer;
import dev.mistralgateway.testing.SimulatorResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/** {@link KeyLimitsTest}'s behaviour, unchanged, with the limits counted on Redis (its Lua scripts, its clock). */
@QuarkusTest
@WithTestResource(SimulatorResource.class)
@TestProfile(KeyLimitsOnRedisTest.OnRedis.class)
@ExtendWith(RedisServer.Required.class)
// Test classes are beans: without @Typed this one would also be a candidate for its superclass' tests.
@Typed(KeyLimitsOnRedisTest.class)
class KeyLimitsOnRedisTest extends KeyLimitsTest {

    /** The same configuration, and a Redis: a profile of its own, so that no meter of the in-memory run is reused. */
    public static class OnRedis extends KeyLimitsTest.TightLimits {
        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(RedisResource.class));
        }
    }
}
