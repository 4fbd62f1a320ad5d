package dev.mistralgateway.config;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * Everything the gateway needs to know about its Mistral upstream and the requests it lets through.
 * Checked at startup by {@link MistralConfigValidator}; every key is in the README's configuration table.
 */
@ConfigMapping(prefix = "mistral")
public interface MistralConfig {

    /** Upstream API key, from the environment ({@code MISTRAL_API_KEY}) or a Kubernetes Secret. Never logged. */
    Optional<String> apiKey();

    /** Base URL of the Mistral API (or any Mistral-compatible server). */
    @WithDefault("https://api.mistral.ai")
    URI baseUrl();

    /** Chat model used when a request names none: a pinned, dated id, never a {@code -latest} alias. */
    @WithDefault("mistral-small-2506")
    String defaultModel();

    /** Embedding model used when an embeddings request names none. */
    @WithDefault("mistral-embed")
    String defaultEmbeddingModel();

    /** Allow-list of model ids clients may name; {@code GET /v1/models} lists exactly these. */
    @WithDefault("mistral-small-2506,mistral-medium-2508,mistral-large-2411,ministral-8b-2410,codestral-2508,mistral-embed")
    List<String> models();

    /** Whether clients may name {@code -latest} aliases, whose behaviour changes under them without notice. */
    @WithDefault("false")
    boolean allowLatestAliases();

    /** Upper bound on {@code max_tokens}: requests above it are refused, so one call cannot run up the bill. */
    @WithDefault("1024")
    int maxTokens();

    /** {@code max_tokens} sent upstream when the client sends none; defaults to {@link #maxTokens()}. */
    OptionalInt defaultMaxTokens();

    /** Temperature sent upstream when the client gives neither a temperature nor a preset. */
    @WithDefault("0.3")
    double temperature();

    /** Named temperatures a client may select with {@code "preset"} (defaults: deterministic=0, creative=0.7). */
    Map<String, Double> presets();

    /** Timeouts of the HTTP calls to Mistral. */
    Timeout timeout();

    /** The built-in Mistral simulator that dev mode starts when no API key is set. */
    Simulator simulator();

    interface Timeout {
        /** Time allowed to open a TCP connection to Mistral. */
        @WithDefault("5s")
        Duration connect();

        /** Time allowed for Mistral's response (for streams: between two chunks). */
        @WithDefault("60s")
        Duration read();
    }

    interface Simulator {
        /** Start the simulator in dev mode when {@code MISTRAL_API_KEY} is not set. Never started in prod. */
        @WithDefault("true")
        boolean enabled();
    }

    /** The {@code max_tokens} a request gets when it names none. */
    default int effectiveDefaultMaxTokens() {
        return defaultMaxTokens().orElse(maxTokens());
    }
}
