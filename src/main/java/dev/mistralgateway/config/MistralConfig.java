package dev.mistralgateway.config;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/**
 * Everything the gateway needs to know about its Mistral upstream and the requests it lets through.
 * Checked at startup by {@link MistralConfigValidator}; every key is in the table of src/docs/configuration.md.
 */
@ConfigMapping(prefix = "mistral")
public interface MistralConfig {

    /**
     * Upstream API key, from the environment ({@code MISTRAL_API_KEY}) or a Kubernetes Secret. Never logged. With
     * {@link #apiKeys()} too, it is one more key, named {@value MistralKeys#SINGLE_KEY_NAME}.
     */
    Optional<String> apiKey();

    /**
     * Several upstream keys ({@code MISTRAL_API_KEYS}, from a Kubernetes Secret), comma-separated {@code name=key}
     * entries; each call goes to the key with the most headroom. Names label metrics and {@code /health}; keys are never
     * logged. Read by {@link MistralKeys}.
     */
    Optional<List<String>> apiKeys();

    /** How long an upstream key that answered 429 without a Retry-After is left out of rotation. */
    @WithDefault("10s")
    Duration keyRest();

    /** Base URL of the Mistral API (or any Mistral-compatible server). */
    @WithDefault("https://api.mistral.ai")
    URI baseUrl();

    /**
     * The Quarkus TLS registry's configuration for the connections to Mistral ({@code quarkus.tls.<name>.*}: trust
     * store or PEM CA bundle, say of an egress proxy's own CA; client certificate). Unset: the registry's default
     * configuration if {@code quarkus.tls.*} sets one, else the JVM's trusted CAs.
     */
    Optional<String> tlsConfigurationName();

    /** Chat model used when a request names none: a pinned, dated id, never a {@code -latest} alias. */
    @WithDefault("mistral-small-2506")
    String defaultModel();

    /** Embedding model used when an embeddings request names none. */
    @WithDefault("mistral-embed")
    String defaultEmbeddingModel();

    /** Allow-list of model ids clients may name, on every endpoint; {@code GET /v1/models} lists exactly these. */
    @WithDefault("mistral-small-2506,mistral-medium-2508,mistral-large-2411,ministral-8b-2410,codestral-2508,mistral-embed,"
            + "mistral-moderation-2411,mistral-ocr-2505,voxtral-mini-2507")
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

    /**
     * Most connections kept open to Mistral by each event loop (each has its own pool, so that a call never changes
     * threads). LLM calls last seconds, so concurrency is rate times duration:
     * 200 requests/s of 5 s answers need 1000 connections; a small pool queues requests inside the gateway.
     */
    @WithDefault("1024")
    int connectionPoolSize();

    /** Largest answer accepted from Mistral (by its Content-Length): a bound on what one call can make us buffer. */
    @WithDefault("10M")
    MemorySize maxResponseSize();

    /**
     * Largest single server-sent event of a Mistral stream (its data lines together). Mistral's events are a few
     * hundred bytes; a larger one means a broken or hostile upstream, and the stream ends with an error event.
     */
    @WithDefault("1M")
    MemorySize maxStreamEventSize();

    /** Timeouts of the calls to Mistral. */
    Timeout timeout();

    /**
     * The backoff of retries (429/5xx). How many retries, and the circuit breaker, are SmallRye Fault Tolerance's own
     * keys on {@code mistral.MistralGuard} (src/docs/configuration.md).
     */
    Retry retry();

    /**
     * Fallback model per model, tried when a call to the first fails with an outage (5xx, 429, timeout, connection)
     * and the circuit is not open; chains are followed (large to medium to small). Empty by default.
     */
    Map<String, String> fallbackModels();

    /** The background probe of Mistral that health checks read. */
    Health health();

    /**
     * Prices in USD per million tokens, per model ({@code mistral.prices."<model>".input/output}). Defaults are
     * Mistral's public list prices when this release was made; operators must keep them current.
     */
    Map<String, Price> prices();

    /** Price for models missing from {@link #prices()}: counted, never zero, and flagged by a metric. */
    Price fallbackPrice();

    /** USD per page an OCR model processes (Mistral bills OCR by page, not by token). */
    @WithDefault("0.001")
    double pricePerPage();

    /**
     * USD per minute of audio a transcription model hears (Mistral bills {@code /v1/audio/transcriptions} by the
     * minute, from the answer's {@code usage.prompt_audio_seconds}).
     */
    @WithDefault("0.001")
    double pricePerAudioMinute();

    interface Price {
        /** USD per million prompt (input) tokens. */
        @WithDefault("2.0")
        double input();

        /** USD per million completion (output) tokens. */
        @WithDefault("6.0")
        double output();
    }

    /** The built-in Mistral simulator that dev mode starts when no API key is set. */
    Simulator simulator();

    interface Timeout {
        /** Time allowed to open a TCP connection to Mistral. */
        @WithDefault("5s")
        Duration connect();

        /** Time allowed for one attempt: Mistral's whole answer, or a stream's first event. */
        @WithDefault("60s")
        Duration read();

        /** Longest silence allowed between two events of a stream. */
        @WithDefault("30s")
        Duration streamIdle();

        /** Time allowed for a whole client request to Mistral, retries and their waits included. */
        @WithDefault("90s")
        Duration request();
    }

    interface Retry {
        /** Cap of the exponential backoff. */
        @WithDefault("4s")
        Duration maxDelay();
    }

    interface Health {
        /** How often the background probe calls {@code GET /v1/models}. */
        @WithDefault("15s")
        Duration interval();

        /** Time allowed for one probe. */
        @WithDefault("10s")
        Duration timeout();

        /** A probe slower than this makes the status {@code degraded} (5000 ms by default). */
        @WithDefault("5000ms")
        Duration degradedThreshold();

        /**
         * Whether readiness goes DOWN when Mistral is unhealthy. Off by default: a Mistral outage hits every replica
         * alike, and removing them all from the Service turns fast 503s into connection errors.
         */
        @WithDefault("false")
        boolean readinessFollowsUpstream();
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
