package dev.mistralgateway.metrics;

import io.smallrye.common.vertx.ContextLocals;
import io.smallrye.common.vertx.VertxContext;

/**
 * What one API request was about, filled in as it travels (model after validation, tokens from Mistral's usage)
 * and read when its response ends, for {@code mistral_requests_total} and the access log. It lives in the
 * request's own Vert.x (duplicated) context, so no code needs to pass it along.
 */
public final class RequestRecord {

    private static final String KEY = RequestRecord.class.getName();

    private final String requestId;
    private final String endpoint;
    private final long startNanos = System.nanoTime();
    private volatile String key = "none";
    private volatile String model;
    private volatile boolean stream;
    private volatile long promptTokens;
    private volatile long completionTokens;
    private volatile Object reservation;
    private volatile double spendUsd;
    private volatile String errorType;

    private RequestRecord(String requestId, String endpoint) {
        this.requestId = requestId;
        this.endpoint = endpoint;
    }

    /** The record of the request being handled, or a detached one outside an API request (never null). */
    public static RequestRecord current() {
        if (VertxContext.isOnDuplicatedContext()) {
            RequestRecord record = ContextLocals.<RequestRecord> get(KEY).orElse(null);
            if (record != null) {
                return record;
            }
        }
        return new RequestRecord("none", "none");
    }

    /** A new record for the request being handled, found by {@link #current()} from now on. */
    public static RequestRecord attach(String requestId, String endpoint) {
        RequestRecord record = new RequestRecord(requestId, endpoint);
        ContextLocals.put(KEY, record);
        return record;
    }

    public String requestId() {
        return requestId;
    }

    public String endpoint() {
        return endpoint;
    }

    public long startNanos() {
        return startNanos;
    }

    public RequestRecord model(String model, boolean stream) {
        this.model = model;
        this.stream = stream;
        return this;
    }

    /** The name of the client key that made the request ("anonymous" without authentication). */
    public RequestRecord key(String name) {
        this.key = name;
        return this;
    }

    public String key() {
        return key;
    }

    public void tokens(long prompt, long completion) {
        this.promptTokens = prompt;
        this.completionTokens = completion;
    }

    /** What this request's Mistral call reserved against the budget (the cost package's), or null. */
    public Object reservation() {
        return reservation;
    }

    public void reservation(Object reservation) {
        this.reservation = reservation;
    }

    /** Adds what one booking of this request cost (a fallback model's answer is booked on its own). */
    public void spent(double usd) {
        this.spendUsd += usd;
    }

    public double spendUsd() {
        return spendUsd;
    }

    /** The {@code error.type} the request was answered with, if it was refused or failed. */
    public void error(String type) {
        this.errorType = type;
    }

    public String errorType() {
        return errorType;
    }

    public String model() {
        return model;
    }

    public boolean stream() {
        return stream;
    }

    public long promptTokens() {
        return promptTokens;
    }

    public long completionTokens() {
        return completionTokens;
    }
}
