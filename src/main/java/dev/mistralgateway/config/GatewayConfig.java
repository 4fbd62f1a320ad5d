package dev.mistralgateway.config;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;

import io.quarkus.runtime.configuration.MemorySize;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** What the gateway itself enforces and records, as opposed to how it talks to Mistral ({@link MistralConfig}). */
@ConfigMapping(prefix = "gateway")
public interface GatewayConfig {

    /** Who may call the gateway. */
    Auth auth();

    /**
     * Client keys ({@code GATEWAY_API_KEYS}, comma-separated, from a Secret). Each entry is {@code name=key},
     * {@code name=sha256:<hex of SHA-256(key)>} (the key itself never stored), or a bare key (named by a short hash).
     * The name, never the key, identifies the caller in logs and metrics.
     */
    Optional<List<String>> apiKeys();

    /** Per-key limits: per pod, or for the whole fleet when {@link #state()} is shared through Redis. */
    KeyLimits keyLimits();

    /**
     * Settings of one client key, by its name ({@code gateway.keys."team-a".budget.daily-usd}), from the same Secret
     * as the keys. A name no entry of {@link #apiKeys()} has stops the start.
     */
    Map<String, Key> keys();

    /** Limits on one request's content, beyond {@code quarkus.http.limits.max-body-size}. */
    RequestLimits requestLimits();

    /** {@code POST /v1/audio/transcriptions}: the limits of its upload, which other bodies do not share. */
    Transcription transcription();

    /** Spend control. */
    Budget budget();

    /** The one log line written per API request. */
    AccessLog accessLog();

    /** What happens to requests in flight when the pod stops (with {@code quarkus.shutdown.*}). */
    Shutdown shutdown();

    /** The exact-match cache of answers to deterministic requests. */
    Cache cache();

    /** Where limits and spend are counted: in memory, or on Redis for the fleet when {@code quarkus.redis.hosts} is set. */
    State state();

    interface Auth {
        /** Require a client key on the API. Turning it off in prod is logged as a warning at every start. */
        @WithDefault("true")
        boolean enabled();

        /**
         * Failed authentications allowed per client address per minute (bursts up to as many); past it, the address
         * gets 429 without its key being checked until its allowance refills. 0: no throttle.
         */
        @WithDefault("60")
        int failuresPerMinute();

        /**
         * Serve {@code /q/metrics} on the API port without a key. Only matters in a build without the management
         * interface ({@code quarkus.management.enabled=false}); the shipped build serves metrics on its own port.
         */
        @WithDefault("false")
        boolean publicMetrics();
    }

    interface KeyLimits {
        /** Requests per minute per key (token bucket, bursts up to the same number). Unset: no limit. */
        OptionalInt requestsPerMinute();

        /** Mistral tokens (prompt + completion) per key over the rolling last 60 minutes. Unset: no limit. */
        OptionalLong hourlyTokens();
    }

    interface Key {
        /** What the key may spend, counted from Mistral's usage as the hourly budget is (streams included). */
        KeyBudget budget();
    }

    interface KeyBudget {
        /** USD over the rolling last 60 minutes, minute by minute. Unset: no cap. */
        OptionalDouble hourlyUsd();

        /** USD over the rolling last 24 hours, hour by hour. Unset: no cap. */
        OptionalDouble dailyUsd();

        /** USD over the rolling last 30 days, day by day. Unset: no cap. */
        OptionalDouble monthlyUsd();
    }

    interface RequestLimits {
        /** Most messages one chat request may carry. */
        @WithDefault("256")
        int maxMessages();

        /** Most characters of content, summed over all messages: text and every string of other chunks (image URLs too). */
        @WithDefault("400000")
        int maxTotalChars();
    }

    interface Transcription {
        /**
         * Largest upload (the whole multipart body): over it, 413 before a byte is read when its length is declared,
         * or as soon as it is passed while streaming. Every other body keeps {@code quarkus.http.limits.max-body-size}.
         */
        @WithDefault("25M")
        MemorySize maxUploadSize();

        /**
         * Most bytes held in temporary files at once, for uploads that send their file before their model (the
         * gateway cannot choose, or refuse, a model it has not read, so it holds the file until it has). Past it, such
         * uploads get 503; uploads that name the model first are streamed and never held.
         */
        @WithDefault("32M")
        MemorySize maxSpooledSize();
    }

    interface Budget {
        /**
         * Cap on spend over the rolling last 60 minutes, in USD. Once reached, new requests get 429 until older
         * spend leaves the window; requests already in flight complete. Unset: no cap.
         */
        OptionalDouble hourlyUsd();
    }

    interface AccessLog {
        /** Log one line per API request: request id, endpoint, model, status, latency, tokens. Never content or keys. */
        @WithDefault("true")
        boolean enabled();

        /**
         * Most access lines per second for 4xx answers (bursts up to as many), so a flood of refused requests cannot
         * fill a disk; lines over it are counted in {@code mistral_log_lines_dropped_total{log="access"}}. 0: no cap.
         */
        @WithDefault("20")
        int refusalLinesPerSecond();
    }

    interface Shutdown {
        /**
         * How long streams in flight may go on once the pre-shutdown delay is over; then they end with an error event.
         * Keep it below {@code quarkus.shutdown.timeout}, after which Quarkus stops waiting and connections are cut.
         */
        @WithDefault("25s")
        Duration streamDrain();
    }

    interface Cache {
        /**
         * Answer deterministic requests that ask for it ({@code X-Gateway-Cache: use}, or a key listed in {@link #keys()})
         * from the cache. false: the header is ignored and nothing is cached.
         */
        @WithDefault("true")
        boolean enabled();

        /** How long an answer is served from the cache after Mistral gave it. */
        @WithDefault("1h")
        Duration ttl();

        /** Most bytes of answers (and their keys) held in each pod's memory; the least used go first. */
        @WithDefault("64M")
        MemorySize maxSize();

        /** Largest answer kept; a larger one is served and not cached. */
        @WithDefault("1M")
        MemorySize maxEntrySize();

        /**
         * Names of client keys whose deterministic requests use the cache without the header ({@code bypass} still
         * skips it): for clients, such as the official SDKs, that cannot add a header.
         */
        Optional<List<String>> keys();
    }

    interface State {
        /** When Redis fails or is slow: {@code allow} (go on with per-pod limits) or {@code deny} (refuse with 503). */
        @WithDefault("allow")
        OnFailure onFailure();

        /** Longest wait for one Redis call; a slower answer counts as a failure. Keep it well under a request's time. */
        @WithDefault("100ms")
        Duration timeout();

        /** After a failure, how long Redis is left alone before it is tried again; also how often spend is refreshed. */
        @WithDefault("2s")
        Duration retryInterval();

        /**
         * Longest life of a call's reservation against the budget and the key's hourly tokens: one no settlement frees
         * (a pod killed mid-call, an answer from Redis lost) frees itself then. Keep it above the longest call.
         */
        @WithDefault("10m")
        Duration reservationTtl();

        /**
         * How long a pod's share of a busy key's limits (requests, tokens and USD taken from Redis in advance, at most
         * an eighth of what is left) serves before what is unused goes back; 0: no shares, every request asks Redis.
         */
        @WithDefault("1s")
        Duration shareLife();

        /** Prefix of every Redis key, so that several gateways or other applications can share one Redis. */
        @WithDefault("mistral-gateway:")
        String keyPrefix();

        /** See {@link #onFailure()}. */
        enum OnFailure {
            ALLOW, DENY
        }
    }
}
