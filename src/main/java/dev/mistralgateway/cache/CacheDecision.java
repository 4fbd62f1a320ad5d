package dev.mistralgateway.cache;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.mistralgateway.api.ApiException;

/**
 * Whether one request is answered from the response cache, and under which key. A request uses the cache when it asks
 * ({@value #HEADER}{@code : use}) or its client key is configured to ({@code gateway.cache.keys}), unless it says
 * {@code bypass}; and only when its answer is deterministic: {@code temperature} 0 or a seed ({@code random_seed},
 * or OpenAI's {@code seed}) for completions, always for embeddings. A request with {@code tools} (whose calls may have
 * side effects) is cached only when it asks with the header. The key is a SHA-256 of the endpoint, the client key's
 * name (answers are never shared between keys) and the request as sent to Mistral, its fields in a canonical order,
 * without {@code stream} and {@code stream_options} (a stream and a plain request share their answer).
 */
public record CacheDecision(Use use, String endpoint, String key) {

    /** The request header a client asks with, and the answer header that says what the cache did. */
    public static final String HEADER = "X-Gateway-Cache";
    public static final String USE = "use";
    public static final String BYPASS = "bypass";
    /** Answer header values. */
    public static final String HIT = "hit";
    public static final String MISS = "miss";
    public static final String SKIP = "skip";

    /** What the cache does for the request. */
    public enum Use {
        /** Not asked for (or cache off, or bypassed): no header on the answer. */
        NOT_ASKED,
        /** Asked for, but the request is not deterministic (or has tools without the header): answered "skip". */
        NOT_DETERMINISTIC,
        /** Looked up; a miss is stored. */
        LOOKUP
    }

    /** A request the cache has nothing to do with. */
    public static final CacheDecision NOT_ASKED = new CacheDecision(Use.NOT_ASKED, null, null);

    /** Whether the cache is looked up (and a miss stored). */
    public boolean lookup() {
        return use == Use.LOOKUP;
    }

    /** Whether the answer says what the cache did ({@value #HEADER}). */
    public boolean asked() {
        return use != Use.NOT_ASKED;
    }

    /** The answer header's value for a request that was not a hit. */
    public String missHeader() {
        return use == Use.LOOKUP ? MISS : SKIP;
    }

    /**
     * Decides for a request to {@code endpoint} whose body, as it goes to Mistral, is {@code body}.
     *
     * @param header the request's {@value #HEADER} value, or null
     * @param keyDefault whether the client key uses the cache without asking
     * @param alwaysDeterministic whether every answer of the endpoint is deterministic (embeddings)
     */
    static CacheDecision decide(String header, boolean keyDefault, String endpoint, String clientKey, ObjectNode body,
            boolean alwaysDeterministic) {
        String asked = header == null ? null : header.strip().toLowerCase(Locale.ROOT);
        if (asked != null && !asked.equals(USE) && !asked.equals(BYPASS)) {
            throw ApiException.invalid(HEADER + " must be '" + USE + "' or '" + BYPASS + "'");
        }
        boolean explicit = USE.equals(asked);
        if (!explicit && (BYPASS.equals(asked) || !keyDefault)) {
            return NOT_ASKED;
        }
        if (!alwaysDeterministic && !deterministic(body)) {
            return new CacheDecision(Use.NOT_DETERMINISTIC, endpoint, null);
        }
        JsonNode tools = body.get("tools");
        if (tools != null && !tools.isNull() && !(tools.isArray() && tools.isEmpty()) && !explicit) {
            return new CacheDecision(Use.NOT_DETERMINISTIC, endpoint, null);
        }
        return new CacheDecision(Use.LOOKUP, endpoint, key(endpoint, clientKey, body));
    }

    private static boolean deterministic(ObjectNode body) {
        JsonNode temperature = body.get("temperature");
        if (temperature != null && temperature.isNumber() && temperature.doubleValue() == 0) {
            return true;
        }
        for (String seed : List.of("random_seed", "seed")) {
            JsonNode value = body.get(seed);
            if (value != null && value.isIntegralNumber()) {
                return true;
            }
        }
        return false;
    }

    static String key(String endpoint, String clientKey, ObjectNode body) {
        ObjectNode request = body.deepCopy();
        request.remove(List.of("stream", "stream_options"));
        String canonical = endpoint + '\u0000' + clientKey + '\u0000' + canonical(request);
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(canonical.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JVM", e);
        }
    }

    /** The JSON text of {@code node} with every object's fields sorted by name: equal requests, equal text. */
    static String canonical(JsonNode node) {
        return sorted(node).toString();
    }

    private static JsonNode sorted(JsonNode node) {
        if (node.isObject()) {
            Map<String, JsonNode> fields = new TreeMap<>();
            for (Map.Entry<String, JsonNode> field : node.properties()) {
                fields.put(field.getKey(), sorted(field.getValue()));
            }
            ObjectNode copy = JsonNodeFactory.instance.objectNode();
            fields.forEach(copy::set);
            return copy;
        }
        if (node.isArray()) {
            var copy = JsonNodeFactory.instance.arrayNode(node.size());
            node.forEach(element -> copy.add(sorted(element)));
            return copy;
        }
        return node;
    }
}
