package dev.mistralgateway.testing;

import java.util.Map;

import dev.mistralgateway.simulator.MistralSimulator;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/** Starts the Mistral simulator on a free loopback port and points the gateway under test at it. */
public class SimulatorResource implements QuarkusTestResourceLifecycleManager {

    private MistralSimulator simulator;

    @Override
    public Map<String, String> start() {
        simulator = MistralSimulator.start(MistralSimulator.Options.defaults());
        return Map.of(
                "mistral.base-url", simulator.baseUrl(),
                "mistral.api-key", simulator.apiKey());
    }

    @Override
    public void stop() {
        if (simulator != null) {
            simulator.close();
        }
    }
}
