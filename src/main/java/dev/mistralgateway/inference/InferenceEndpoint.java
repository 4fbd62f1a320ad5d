package dev.mistralgateway.inference;

import java.util.List;

import dev.mistralgateway.models.Capability;

/**
 * Mistral's inference endpoints that the gateway passes through as they are (besides chat and embeddings, which have
 * their own routes): what each requires of a request and what the gateway enforces on it. The name is the
 * {@code endpoint} label of metrics and access lines, as in the route table, and the simulator's name for it.
 */
enum InferenceEndpoint {

    FIM("/v1/fim/completions", "fim", Capability.FIM, true, true, List.of("prompt")),
    /** An agent's model is set at Mistral, so the request names none: the allow-list cannot apply. */
    AGENTS("/v1/agents/completions", "agents", null, true, true, List.of("agent_id", "messages")),
    MODERATIONS("/v1/moderations", "moderations", Capability.MODERATION, false, false, List.of("input")),
    CHAT_MODERATIONS("/v1/chat/moderations", "chat_moderations", Capability.MODERATION, false, false, List.of("input")),
    CLASSIFICATIONS("/v1/classifications", "classifications", Capability.CLASSIFICATION, false, false,
            List.of("input")),
    CHAT_CLASSIFICATIONS("/v1/chat/classifications", "chat_classifications", Capability.CLASSIFICATION, false, false,
            List.of("input")),
    OCR("/v1/ocr", "ocr", Capability.OCR, false, false, List.of("document"));

    private final String path;
    private final String label;
    private final Capability capability;
    private final boolean capsTokens;
    private final boolean streams;
    private final List<String> required;

    InferenceEndpoint(String path, String label, Capability capability, boolean capsTokens, boolean streams,
            List<String> required) {
        this.path = path;
        this.label = label;
        this.capability = capability;
        this.capsTokens = capsTokens;
        this.streams = streams;
        this.required = required;
    }

    /** The gateway's path, which is Mistral's. */
    String path() {
        return path;
    }

    /** Mistral's path relative to {@code /v1}. */
    String upstreamPath() {
        return path.substring("/v1/".length());
    }

    String label() {
        return label;
    }

    /** What the named model must be able to do; null when the request names no model. */
    Capability capability() {
        return capability;
    }

    /** Whether the request has a {@code max_tokens}, which the gateway caps. */
    boolean capsTokens() {
        return capsTokens;
    }

    /** Whether {@code "stream": true} asks for server-sent events. */
    boolean streams() {
        return streams;
    }

    /** Fields Mistral requires: a request without one is refused before it costs a call. */
    List<String> required() {
        return required;
    }
}
