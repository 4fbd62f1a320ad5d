package dev.mistralgateway.chat;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.ws.rs.core.HttpHeaders;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import dev.mistralgateway.metrics.RequestObserver;
import io.quarkus.runtime.configuration.MemorySize;
import io.quarkus.vertx.http.runtime.filters.Filters;

/**
 * Refuses a body whose declared length is over {@code quarkus.http.limits.max-body-size} with 413 and the gateway's
 * JSON error, before a byte of it is read. (Quarkus enforces the same limit on chunked bodies, with an empty 413.)
 */
@ApplicationScoped
public class BodySizeLimit {

    /** After the request observer and client authentication, so the refusal is counted and logged like any other. */
    public static final int ORDER = RequestObserver.ORDER - 2;

    private final long maxBytes;
    private final ErrorResponses errors;

    BodySizeLimit(@ConfigProperty(name = "quarkus.http.limits.max-body-size") MemorySize maxBodySize, ErrorResponses errors) {
        this.maxBytes = maxBodySize.asLongValue();
        this.errors = errors;
    }

    void install(@Observes Filters filters) {
        filters.register(context -> {
            String length = context.request().getHeader(HttpHeaders.CONTENT_LENGTH);
            if (length != null && declaredLength(length) > maxBytes) {
                errors.refuse(context, ApiException.tooLarge(maxBytes));
                return;
            }
            context.next();
        }, ORDER);
    }

    private static long declaredLength(String header) {
        try {
            return Long.parseLong(header.strip());
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
