package dev.mistralgateway.mistral;

import java.net.URI;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

import dev.mistralgateway.config.MistralConfig;
import dev.mistralgateway.config.MistralKeys;
import io.quarkus.runtime.configuration.ConfigurationException;

/**
 * Where the gateway sends its Mistral calls and with which keys: resolved once at startup by
 * {@link MistralEndpointProducer} (the configured API, keys from {@code MISTRAL_API_KEYS} and {@code MISTRAL_API_KEY}),
 * or in dev mode without a key by the simulator's own producer. Every key is registered with {@link UpstreamSecrets}.
 */
public final class MistralEndpoint {

    private final URI baseUrl;
    /** Key by name, in their configured order. */
    private final Map<String, String> keys;

    /** One key, named {@value MistralKeys#SINGLE_KEY_NAME}. */
    public MistralEndpoint(URI baseUrl, String apiKey) {
        this(baseUrl, Map.of(MistralKeys.SINGLE_KEY_NAME, apiKey));
    }

    /** Keys by name, in the map's order; at least one. */
    public MistralEndpoint(URI baseUrl, Map<String, String> keys) {
        if (keys.isEmpty()) {
            throw new IllegalArgumentException("at least one Mistral key is needed");
        }
        this.baseUrl = baseUrl;
        Map<String, String> stripped = new LinkedHashMap<>();
        keys.forEach((name, key) -> {
            stripped.put(name, key.strip());
            UpstreamSecrets.register(key);
        });
        this.keys = Collections.unmodifiableMap(stripped);
    }

    /** The configured Mistral API; fails when no key is configured. */
    public static MistralEndpoint configured(MistralConfig config) {
        Map<String, String> keys = MistralKeys.of(config);
        if (keys.isEmpty()) {
            throw new ConfigurationException("mistral.api-key is required: set the MISTRAL_API_KEY environment variable,"
                    + " or MISTRAL_API_KEYS (name=key,name=key) for several (from a Kubernetes Secret in production)");
        }
        return new MistralEndpoint(config.baseUrl(), keys);
    }

    public URI baseUrl() {
        return baseUrl;
    }

    /** The keys' names, in their configured order. */
    public Set<String> keyNames() {
        return keys.keySet();
    }

    /** Keys by name. Never log them. */
    Map<String, String> keys() {
        return keys;
    }

    @Override
    public String toString() {
        return "MistralEndpoint[" + baseUrl + ", keys " + keys.keySet() + "]";
    }
}
