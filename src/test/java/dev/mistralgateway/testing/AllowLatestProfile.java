package dev.mistralgateway.testing;

import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;

/** Allows {@code -latest} aliases and lists {@code mistral-small-latest}, a model the price table does not know. */
public class AllowLatestProfile implements QuarkusTestProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("mistral.allow-latest-aliases", "true",
                "mistral.models", "mistral-small-2506,mistral-small-latest,mistral-embed");
    }
}
