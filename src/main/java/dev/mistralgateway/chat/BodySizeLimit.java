package dev.mistralgateway.chat;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import dev.mistralgateway.metrics.ErrorReason;
import dev.mistralgateway.metrics.GatewayMetrics;
import dev.mistralgateway.metrics.RequestObserver;
import io.quarkus.runtime.configuration.MemorySize;
import io.vertx.core.buffer.Buffer;
import io.quarkus.vertx.http.runtime.filters.Filters;

/**
 * Refuses a body whose declared length is over {@code quarkus.http.limits.max-body-size} with 413 and the gateway's
 * JSON error, before a byte of it is read. (Quarkus enforces the same limit on chunked bodies, with an empty 413.)
 */
@ApplicationScoped
public class BodySizeLimit {

    private final long maxBytes;
    private final Buffer refusal;
    private final GatewayMetrics metrics;

    BodySizeLimit(@ConfigProperty(name = "quarkus.http.limits.max-body-size") MemorySize maxBodySize, ObjectMapper json,
            GatewayMetrics metrics) throws JsonProcessingException {
        this.metrics = metrics;
        this.maxBytes = maxBodySize.asLongValue();
        this.refusal = Buffer.buffer(json.writeValueAsBytes(ErrorBody.of("request_too_large",
                "Request body is larger than the gateway's limit of " + maxBytes + " bytes")));
    }

    void install(@Observes Filters filters) {
        // Right after the request observer, so the refusal is counted and logged like any other.
        filters.register(context -> {
            String length = context.request().getHeader(HttpHeaders.CONTENT_LENGTH);
            if (length != null && declaredLength(length) > maxBytes) {
                metrics.error(ErrorReason.INVALID_REQUEST, "413");
                context.response().setStatusCode(413)
                        .putHeader(HttpHeaders.CONTENT_TYPE, MediaType.APPLICATION_JSON)
                        .putHeader("Connection", "close")
                        .end(refusal);
                return;
            }
            context.next();
        }, RequestObserver.ORDER - 1);
    }

    private static long declaredLength(String header) {
        try {
            return Long.parseLong(header.strip());
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
