package dev.mistralgateway.api;

import jakarta.inject.Singleton;
import jakarta.ws.rs.core.HttpHeaders;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import dev.mistralgateway.config.GatewayConfig;
import io.quarkus.runtime.configuration.MemorySize;
import io.vertx.ext.web.RoutingContext;

/**
 * Refuses a body whose declared length is over its route's limit with 413 and the gateway's JSON error, before a byte
 * of it is read: {@code quarkus.http.limits.max-body-size} for JSON bodies, {@code gateway.transcription.max-upload-size}
 * for uploads ({@link Route.Body}). A chunked body is counted as it is read, by the body handlers of JSON routes (their
 * 413 is rendered as the same JSON by {@link RequestChain}'s failure handler) and by the upload's own reader.
 */
@Singleton
public class BodySizeLimit {

    private final long jsonBytes;
    private final long uploadBytes;
    private final ErrorResponses errors;

    BodySizeLimit(@ConfigProperty(name = "quarkus.http.limits.max-body-size") MemorySize maxBodySize, GatewayConfig config,
            ErrorResponses errors) {
        this.jsonBytes = maxBodySize.asLongValue();
        this.uploadBytes = config.transcription().maxUploadSize().asLongValue();
        this.errors = errors;
    }

    /** False when it answered the request with 413. */
    boolean accept(RoutingContext context, Route route) {
        String length = context.request().getHeader(HttpHeaders.CONTENT_LENGTH);
        long limit = limit(route.body());
        if (length != null && declaredLength(length) > limit) {
            errors.refuse(context, ApiException.tooLarge(limit));
            return false;
        }
        return true;
    }

    /** The largest body a route of this kind takes. */
    public long limit(Route.Body body) {
        return body == Route.Body.UPLOAD ? uploadBytes : jsonBytes;
    }

    /** The 413 of a JSON body that turned out too large while it was read. */
    ApiException tooLarge() {
        return ApiException.tooLarge(jsonBytes);
    }

    /** A Content-Length header's value; -1 when it is not a number. */
    static long declaredLength(String header) {
        try {
            return Long.parseLong(header.strip());
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
