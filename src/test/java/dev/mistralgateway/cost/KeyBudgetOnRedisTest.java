package dev.mistralgateway.cost;

import java.util.List;

import jakarta.enterprise.inject.Typed;

import org.junit.jupiter.api.extension.ExtendWith;

import dev.mistralgateway.testing.RedisResource;
import dev.mistralgateway.testing.RedisServer;
import dev.mistralgateway.testing.SimulatorResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/** {@link KeyBudgetTest} with the key's spend and its reservations on Redis, for the fleet. */
@QuarkusTest
@WithTestResource(SimulatorResource.class)
@TestProfile(KeyBudgetOnRedisTest.OnRedis.class)
@ExtendWith(RedisServer.Required.class)
@Typed(KeyBudgetOnRedisTest.class)
class KeyBudgetOnRedisTest extends KeyBudgetTest {

    /** The same budgets, and a Redis. */
    public static class OnRedis extends KeyBudgetTest.TeamABudget {
        @Override
        public List<TestResourceEntry> testResources() {
            return List.of(new TestResourceEntry(RedisResource.class));
        }
    }
}
