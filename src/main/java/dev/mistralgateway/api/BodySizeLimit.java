package dev.mistralgateway.api;

import jakarta.inject.Singleton;
import jakarta.ws.rs.core.HttpHeaders;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import dev.mistralgateway.api.ApiException;
import dev.mistralgateway.api.ErrorResponses;
import io.quarkus.runtime.configuration.MemorySize;
import io.vertx.ext.web.RoutingContext;

/**
 * Refuses a body whose declared length is over {@code quarkus.http.limits.max-body-size} with 413 and the gateway's
 * JSON error, before a byte of it is read. A chunked body is counted as it is read, by the body handlers; their 413 is
 * rendered as the same JSON by {@link RequestChain}'s failure handler.
 */
@Singleton
public class BodySizeLimit {

    private final long maxBytes;
    private final ErrorResponses errors;

    BodySizeLimit(@ConfigProperty(name = "quarkus.http.limits.max-body-size") MemorySize maxBodySize, ErrorResponses errors) {
        this.maxBytes = maxBodySize.asLongValue();
        this.errors = errors;
    }

    /** False when it answered the request with 413. */
    boolean accept(RoutingContext context) {
        String length = context.request().getHeader(HttpHeaders.CONTENT_LENGTH);
        if (length != null && declaredLength(length) > maxBytes) {
            errors.refuse(context, ApiException.tooLarge(maxBytes));
            return false;
        }
        return true;
    }

    /** The 413 of a body that turned out too large while it was read. */
    ApiException tooLarge() {
        return ApiException.tooLarge(maxBytes);
    }

    private static long declaredLength(String header) {
        try {
            return Long.parseLong(header.strip());
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
