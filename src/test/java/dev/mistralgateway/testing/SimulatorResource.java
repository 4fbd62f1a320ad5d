package dev.mistralgateway.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import dev.mistralgateway.simulator.MistralSimulator;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * Starts the Mistral simulator on a free loopback port and points the gateway under test at it, with one key
 * ({@code mistral.api-key}) or, given the init argument {@code keys} (names, comma-separated), one key per name
 * ({@code mistral.api-keys}), each accepted by the simulator.
 */
public class SimulatorResource implements QuarkusTestResourceLifecycleManager {

    private MistralSimulator simulator;
    private List<String> names = List.of();

    @Override
    public void init(Map<String, String> initArgs) {
        String keys = initArgs.get("keys");
        if (keys != null) {
            names = List.of(keys.split(","));
        }
    }

    @Override
    public Map<String, String> start() {
        if (names.isEmpty()) {
            simulator = MistralSimulator.start(MistralSimulator.Options.defaults());
            return Map.of(
                    "mistral.base-url", simulator.baseUrl(),
                    "mistral.api-key", simulator.apiKey());
        }
        List<String> keys = new ArrayList<>();
        List<String> entries = new ArrayList<>();
        for (String name : names) {
            String key = "sim-" + name + "-" + UUID.randomUUID();
            keys.add(key);
            entries.add(name + "=" + key);
        }
        simulator = MistralSimulator.start(MistralSimulator.Options.defaults().withApiKeys(keys));
        return Map.of(
                "mistral.base-url", simulator.baseUrl(),
                "mistral.api-keys", String.join(",", entries));
    }

    @Override
    public void stop() {
        if (simulator != null) {
            simulator.close();
        }
    }
}
