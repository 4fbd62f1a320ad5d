package dev.mistralgateway.simulator;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One injected misbehaviour of the simulator. It applies to the next {@code times} requests (-1: until cleared)
 * that hit {@code endpoint} (one of {@link #ENDPOINTS}; null: any), whose body contains {@code match} (null: any) and
 * that were sent with the API key {@code key} (null: any), so that tests running side by side do not take each other's
 * faults, and one of several keys can misbehave alone.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Fault(
        Type type,
        Integer status,
        String message,
        Long retryAfterSeconds,
        Long latencyMs,
        Integer afterChunks,
        Long chunkDelayMs,
        Integer times,
        String endpoint,
        String match,
        String key) {

    /** The simulator's names of Mistral's endpoints, which a fault can target. */
    public static final List<String> ENDPOINTS = List.of("chat", "models", "embeddings", "fim", "agents", "moderations",
            "chat_moderations", "classifications", "chat_classifications", "ocr", "transcriptions");

    public enum Type {
        /** Answer normally, after {@code latencyMs}. */
        LATENCY,
        /** Answer with {@code status} and Mistral's error body for it (with Retry-After when given). */
        STATUS,
        /** Accept the request and never answer. */
        HANG,
        /** Close the connection without answering. */
        RESET,
        /** Answer 200 with a body that is not JSON. */
        GARBAGE,
        /** Streams: send {@code afterChunks} chunks, then go silent with the connection open. */
        STALL,
        /** Streams: send {@code afterChunks} chunks, pause 100 ms, then close the connection without {@code [DONE]}. */
        DIE,
        /** Streams: send {@code afterChunks} chunks, then end the response cleanly but without {@code [DONE]}. */
        TRUNCATE,
        /** Streams: wait {@code chunkDelayMs} between chunks. */
        SLOW
    }

    public Fault {
        if (type == null) {
            throw new IllegalArgumentException(
                    "fault 'type' is required: one of latency, status, hang, reset, garbage, stall, die, truncate, slow");
        }
        if (type == Type.STATUS && (status == null || status < 400 || status > 599)) {
            throw new IllegalArgumentException("a status fault needs 'status' between 400 and 599");
        }
        if (endpoint != null && !ENDPOINTS.contains(endpoint)) {
            throw new IllegalArgumentException("fault 'endpoint' must be one of " + ENDPOINTS);
        }
        times = times == null || times == 0 ? 1 : times;
    }

    public static Fault of(Type type) {
        return new Fault(type, null, null, null, null, null, null, null, null, null, null);
    }

    public static Fault status(int status) {
        return new Fault(Type.STATUS, status, null, null, null, null, null, null, null, null, null);
    }

    /** Applies to the next {@code n} matching requests; -1: until cleared. */
    public Fault times(int n) {
        return new Fault(type, status, message, retryAfterSeconds, latencyMs, afterChunks, chunkDelayMs, n, endpoint, match, key);
    }

    /** Waits {@code ms} before answering (the {@code latency} type, or before any other fault). */
    public Fault latency(long ms) {
        return new Fault(type, status, message, retryAfterSeconds, ms, afterChunks, chunkDelayMs, times, endpoint, match, key);
    }

    /** A status fault's {@code Retry-After} header, in seconds. */
    public Fault retryAfter(long seconds) {
        return new Fault(type, status, message, seconds, latencyMs, afterChunks, chunkDelayMs, times, endpoint, match, key);
    }

    /** A status fault's error message, in Mistral's error body. */
    public Fault message(String text) {
        return new Fault(type, status, text, retryAfterSeconds, latencyMs, afterChunks, chunkDelayMs, times, endpoint, match, key);
    }

    /** Stream faults: how many chunks go out before the fault. */
    public Fault afterChunks(int chunks) {
        return new Fault(type, status, message, retryAfterSeconds, latencyMs, chunks, chunkDelayMs, times, endpoint, match, key);
    }

    /** The {@code slow} fault's pause between chunks. */
    public Fault chunkDelay(long ms) {
        return new Fault(type, status, message, retryAfterSeconds, latencyMs, afterChunks, ms, times, endpoint, match, key);
    }

    /** Only requests to this endpoint (one of {@link #ENDPOINTS}). */
    public Fault endpoint(String name) {
        return new Fault(type, status, message, retryAfterSeconds, latencyMs, afterChunks, chunkDelayMs, times, name, match, key);
    }

    /** Only requests whose body contains {@code text}, so that tests running side by side keep their faults apart. */
    public Fault match(String text) {
        return new Fault(type, status, message, retryAfterSeconds, latencyMs, afterChunks, chunkDelayMs, times, endpoint, text, key);
    }

    /** Only requests sent with this API key ({@code Authorization: Bearer <key>}). */
    public Fault key(String apiKey) {
        return new Fault(type, status, message, retryAfterSeconds, latencyMs, afterChunks, chunkDelayMs, times, endpoint, match,
                apiKey);
    }

    long latency() {
        return latencyMs == null ? 0 : latencyMs;
    }

    int chunksBeforeFault() {
        return afterChunks == null ? 1 : afterChunks;
    }

    long chunkDelay() {
        return chunkDelayMs == null ? 100 : chunkDelayMs;
    }

    /** Stream faults (stall, die, slow) wait for a streaming request; the others take any request. */
    boolean appliesTo(String requestEndpoint, boolean stream, String body, String requestKey) {
        boolean streamFault = type == Type.STALL || type == Type.DIE || type == Type.TRUNCATE || type == Type.SLOW;
        return (stream || !streamFault)
                && (endpoint == null || endpoint.equals(requestEndpoint))
                && (match == null || body.contains(match))
                && (key == null || key.equals(requestKey));
    }
}
