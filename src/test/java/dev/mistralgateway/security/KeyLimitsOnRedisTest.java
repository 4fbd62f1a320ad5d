package dev.mistralgateway.security;

import java.util.List;

import org.junit.jupiter.api.BeforeEach;

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
class KeyLimitsOnRedisTest extends KeyLimitsTest {

    public static class OnRedis extends KeyLimitsTest.TightLimits {
        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(RedisResource.class));
        }
    }

    @BeforeEach
    void needsRedis() {
        RedisServer.requireInstalled();
    }
}
