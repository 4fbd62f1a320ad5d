package dev.mistralgateway.chat;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.runtime.configuration.MemorySize;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.Router;

/**
 * Refuses a body whose declared length is over {@code quarkus.http.limits.max-body-size} with 413 and the gateway's
 * JSON error, before a byte of it is read. (Quarkus enforces the same limit on chunked bodies, with an empty 413.)
 */
@ApplicationScoped
public class BodySizeLimit {

    private final long maxBytes;
    private final Buffer refusal;

    BodySizeLimit(@ConfigProperty(name = "quarkus.http.limits.max-body-size") MemorySize maxBodySize, ObjectMapper json)
            throws JsonProcessingException {
        this.maxBytes = maxBodySize.asLongValue();
        this.refusal = Buffer.buffer(json.writeValueAsBytes(ErrorBody.of("request_too_large",
                "Request body is larger than the gateway's limit of " + maxBytes + " bytes")));
    }

    void install(@Observes Router router) {
        router.route().order(Integer.MIN_VALUE).handler(context -> {
            String length = context.request().getHeader(HttpHeaders.CONTENT_LENGTH);
            if (length != null && declaredLength(length) > maxBytes) {
                context.response().setStatusCode(413)
                        .putHeader(HttpHeaders.CONTENT_TYPE, MediaType.APPLICATION_JSON)
                        .putHeader("Connection", "close")
                        .end(refusal);
                return;
            }
            context.next();
        });
    }

    private static long declaredLength(String header) {
        try {
            return Long.parseLong(header.strip());
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
