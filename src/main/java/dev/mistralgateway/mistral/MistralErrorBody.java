package dev.mistralgateway.mistral;

import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

import jakarta.ws.rs.core.Response;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Reads what a non-2xx answer from Mistral says: its message and its Retry-After. Mistral's error bodies come in
 * several shapes ({@code message} as text or object, {@code detail}); all are read.
 */
final class MistralErrorBody {

    static final int MAX_MESSAGE_LENGTH = 500;

    private static final ObjectMapper JSON = new ObjectMapper();

    private MistralErrorBody() {
    }

    /**
     * Mistral's message, or the status' reason phrase when it sent none; at most {@value #MAX_MESSAGE_LENGTH}
     * characters, with the gateway's Mistral key taken out ({@link UpstreamSecrets}) before it is shortened, so that no
     * part of it survives.
     */
    static String message(int status, String body) {
        String message = UpstreamSecrets.redact(extract(body));
        if (message == null || message.isBlank()) {
            message = Response.Status.fromStatusCode(status) != null
                    ? Response.Status.fromStatusCode(status).getReasonPhrase()
                    : "HTTP " + status;
        }
        return message.length() <= MAX_MESSAGE_LENGTH ? message : message.substring(0, MAX_MESSAGE_LENGTH) + "…";
    }

    private static String extract(String body) {
        if (body == null || body.isBlank()) {
            return null;
        }
        try {
            JsonNode json = JSON.readTree(body);
            for (String field : new String[] { "message", "detail", "error" }) {
                JsonNode value = json.get(field);
                if (value != null && !value.isNull()) {
                    return value.isTextual() ? value.asText() : value.toString();
                }
            }
            return json.toString();
        } catch (Exception notJson) {
            return body.strip();
        }
    }

    /** Retry-After is either delay-seconds or an HTTP date (RFC 9110 §10.2.3). */
    static Duration retryAfter(String header) {
        if (header == null || header.isBlank()) {
            return null;
        }
        String value = header.strip();
        try {
            return Duration.ofSeconds(Math.max(0, Long.parseLong(value)));
        } catch (NumberFormatException notSeconds) {
            try {
                Duration until = Duration.between(ZonedDateTime.now(),
                        ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME));
                return until.isNegative() ? Duration.ZERO : until;
            } catch (DateTimeParseException notADate) {
                return null;
            }
        }
    }
}
