package dev.mistralgateway.mistral;

import java.net.URI;

import dev.mistralgateway.config.MistralConfig;
import io.quarkus.runtime.configuration.ConfigurationException;

/**
 * Where the gateway sends its Mistral calls and with which key: resolved once at startup by
 * {@link MistralEndpointProducer} (the configured API, key from {@code MISTRAL_API_KEY}), or in dev mode without a key
 * by the simulator's own producer.
 */
public final class MistralEndpoint {

    private final URI baseUrl;
    private final String authorization;

    public MistralEndpoint(URI baseUrl, String apiKey) {
        this.baseUrl = baseUrl;
        this.authorization = "Bearer " + apiKey.strip();
        UpstreamSecrets.register(apiKey);
    }

    /** The configured Mistral API; fails when no key is configured. */
    public static MistralEndpoint configured(MistralConfig config) {
        String key = config.apiKey().orElseThrow(() -> new ConfigurationException("mistral.api-key is required: set the"
                + " MISTRAL_API_KEY environment variable (from a Kubernetes Secret in production)"));
        return new MistralEndpoint(config.baseUrl(), key);
    }

    public URI baseUrl() {
        return baseUrl;
    }

    /** The {@code Authorization} header value for Mistral. Never log it. */
    String authorization() {
        return authorization;
    }

    @Override
    public String toString() {
        return "MistralEndpoint[" + baseUrl + "]";
    }
}
