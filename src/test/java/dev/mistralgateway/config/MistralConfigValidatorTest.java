package dev.mistralgateway.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.runtime.configuration.ConfigurationException;
import io.quarkus.runtime.configuration.DurationConverter;
import io.quarkus.runtime.configuration.MemorySize;
import io.quarkus.runtime.configuration.MemorySizeConverter;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfigBuilder;

class MistralConfigValidatorTest {

    private static final String KEY = "sk-test-value-that-must-never-be-printed";

    private static MistralConfig config(String... keyValues) {
        Map<String, String> properties = new HashMap<>(Map.of(
                "mistral.api-key", KEY,
                "mistral.presets.deterministic", "0",
                "mistral.presets.creative", "0.7"));
        for (int i = 0; i < keyValues.length; i += 2) {
            properties.put(keyValues[i], keyValues[i + 1]);
        }
        return new SmallRyeConfigBuilder()
                .withMapping(MistralConfig.class)
                .withConverter(Duration.class, 100, new DurationConverter())
                .withConverter(MemorySize.class, 100, new MemorySizeConverter())
                .withSources(new PropertiesConfigSource(properties, "test", 500))
                .build()
                .getConfigMapping(MistralConfig.class);
    }

    @Test
    void acceptsTheDefaults() {
        assertEquals(List.of(), MistralConfigValidator.problems(config()));
        assertEquals(1024, config().effectiveDefaultMaxTokens());
    }

    @Test
    void namesEachOutOfRangeProperty() {
        List<String> problems = MistralConfigValidator.problems(config(
                "mistral.max-tokens", "0",
                "mistral.temperature", "3",
                "mistral.presets.creative", "-1",
                "mistral.timeout.read", "0s",
                "mistral.base-url", "ftp://example.com"));
        String all = String.join("\n", problems);
        for (String property : List.of("mistral.max-tokens", "mistral.temperature", "mistral.presets.creative",
                "mistral.timeout.read", "mistral.base-url")) {
            assertTrue(all.contains(property), property + " is named in: " + all);
        }
    }

    @Test
    void refusesADefaultMaxTokensAboveTheCap() {
        assertTrue(MistralConfigValidator.problems(config("mistral.default-max-tokens", "2048")).get(0)
                .startsWith("mistral.default-max-tokens must be between 1 and mistral.max-tokens=1024"));
    }

    @Test
    void refusesALatestDefaultModelUnlessAllowed() {
        String models = "mistral-small-latest,mistral-embed";
        assertTrue(MistralConfigValidator.problems(config("mistral.models", models, "mistral.default-model",
                "mistral-small-latest")).get(0).contains("is a -latest alias"));
        assertEquals(List.of(), MistralConfigValidator.problems(config("mistral.models", models,
                "mistral.default-model", "mistral-small-latest", "mistral.allow-latest-aliases", "true")));
    }

    @Test
    void refusesADefaultModelOutsideTheAllowList() {
        assertTrue(MistralConfigValidator.problems(config("mistral.default-model", "gpt-4o")).get(0)
                .contains("mistral.default-model 'gpt-4o' is not in mistral.models"));
    }

    @Test
    void failureMessageNeverContainsTheKey() {
        ConfigurationException e = assertThrows(ConfigurationException.class,
                () -> MistralConfigValidator.validate(config("mistral.max-tokens", "-3", "mistral.temperature", "9")));
        assertTrue(e.getMessage().contains("mistral.max-tokens"));
        assertFalse(e.getMessage().contains(KEY));
    }

    @Test
    void readsNamedUpstreamKeysWithTheSingleKeyAsDefault() {
        MistralConfig config = config("mistral.api-keys", "team-a=first-upstream-test-key, team-b=second-upstream-test-key");
        assertEquals(List.of(), MistralConfigValidator.problems(config));
        assertEquals(Map.of("team-a", "first-upstream-test-key", "team-b", "second-upstream-test-key", "default", KEY),
                MistralKeys.of(config));
        assertEquals(List.of("team-a", "team-b", "default"), List.copyOf(MistralKeys.of(config).keySet()));
    }

    @Test
    void namesEachMalformedUpstreamKeyEntryWithoutPrintingAKey() {
        List<String> problems = MistralConfigValidator.problems(config("mistral.api-keys",
                "first-upstream-test-key,b=,c=second-upstream-test-key,c=third-upstream-test-key,"
                        + "bad name=fourth-upstream-test-key,d=second-upstream-test-key,default=fifth-upstream-test-key"));
        String all = String.join("\n", problems);
        assertTrue(all.contains("entry 1 has no name: write name=key"), all);
        assertTrue(all.contains("entry 2 ('b') has an empty key"), all);
        assertTrue(all.contains("entry 4 repeats the name 'c'"), all);
        assertTrue(all.contains("entry 5: names are 1-64 letters"), all);
        assertTrue(all.contains("entry 6 ('d') repeats the key of an earlier entry"), all);
        assertTrue(all.contains("names a key 'default', the name of MISTRAL_API_KEY"), all);
        assertFalse(all.contains("upstream-test-key") || all.contains(KEY), "no key in: " + all);
        ConfigurationException refused = assertThrows(ConfigurationException.class, () -> MistralConfigValidator.validate(
                config("mistral.api-keys", "first-upstream-test-key")));
        assertFalse(refused.getMessage().contains("first-upstream-test-key"), refused.getMessage());
    }
}
