package dev.mistralgateway.api;

import java.io.IOException;
import java.util.Locale;

import jakarta.inject.Singleton;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.mistralgateway.api.ApiException;
import dev.mistralgateway.api.ErrorResponses;
import dev.mistralgateway.api.JsonBody;
import io.quarkus.runtime.configuration.MemorySize;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;

/**
 * The JSON body of every POST endpoint of Mistral's API, read in front of the JAX-RS resource that serves it: a Vert.x
 * route on the endpoint's path checks method (405 with {@code Allow}) and media type (415) before reading a byte, reads
 * the body up to {@code quarkus.http.limits.max-body-size} whatever its framing (413), parses one JSON object strictly
 * (400), and passes the request on to the resource, which takes the object with {@link #body(RoutingContext)}. Every
 * refusal is the gateway's JSON error.
 * <p>
 * Why here and not in the resource (JAX-RS reading its entity): a refused request's body is never read (JAX-RS reads it
 * before its 415), a chunked body over the limit gets the gateway's 413 and a closed connection, and a body over
 * {@code quarkus.rest.input-buffer-size} is not handed to a worker thread as a blocking stream.
 */
@Singleton
public class JsonPostRoutes {

    /** Before the JAX-RS resources' route, after the request chain (a filter). */
    static final int ORDER = -20;
    private static final String BODY = JsonPostRoutes.class.getName() + ".body";

    public static final String UNSUPPORTED_MEDIA_TYPE = "Send the body as JSON with 'Content-Type: application/json'";

    private final ObjectMapper json;
    private final ErrorResponses errors;
    private final long maxBodyBytes;

    JsonPostRoutes(ObjectMapper json, ErrorResponses errors,
            @ConfigProperty(name = "quarkus.http.limits.max-body-size") MemorySize maxBodySize) {
        this.json = json;
        this.errors = errors;
        this.maxBodyBytes = maxBodySize.asLongValue();
    }

    /** Reads and checks the JSON body of {@code POST path} before the resource that serves the path runs. */
    public void accept(Router router, String path) {
        router.route(path).order(ORDER).handler(this::checkRequest);
        router.post(path).order(ORDER)
                .handler(BodyHandler.create(false).setBodyLimit(maxBodyBytes))
                .handler(this::parsed)
                .failureHandler(this::failed);
    }

    /** The request's JSON object, read and checked before its resource was called. */
    public static ObjectNode body(RoutingContext context) {
        ObjectNode body = context.get(BODY);
        if (body == null) {
            throw new IllegalStateException("No JSON body was read for " + context.request().path()
                    + ": its path is missing from JsonPostRoutes.accept");
        }
        return body;
    }

    /** Method and media type, before a byte of the body is read. */
    private void checkRequest(RoutingContext context) {
        if (context.request().method() != HttpMethod.POST) {
            context.response().putHeader(HttpHeaders.ALLOW, "POST");
            errors.refuse(context, new ApiException(405, "method_not_allowed", "Use POST", null));
        } else if (!isJson(context.request().getHeader(HttpHeaders.CONTENT_TYPE))) {
            errors.refuse(context, new ApiException(415, "unsupported_media_type", UNSUPPORTED_MEDIA_TYPE, null));
        } else {
            context.next();
        }
    }

    private static boolean isJson(String contentType) {
        if (contentType == null) {
            return false;
        }
        int parameters = contentType.indexOf(';');
        String type = (parameters < 0 ? contentType : contentType.substring(0, parameters)).strip().toLowerCase(Locale.ROOT);
        return type.equals(MediaType.APPLICATION_JSON) || type.startsWith("application/") && type.endsWith("+json");
    }

    private void parsed(RoutingContext context) {
        ObjectNode request;
        try {
            Buffer body = context.body().buffer();
            byte[] bytes = body == null ? null : body.getBytes();
            int invalid = bytes == null ? -1 : Utf8.firstInvalid(bytes);
            if (invalid >= 0) {
                throw ApiException.invalid("Request body is not valid JSON: it is not valid UTF-8 at byte " + invalid
                        + " (an overlong form, a surrogate, a code point past U+10FFFF or a broken sequence)");
            }
            request = JsonBody.object(bytes == null ? null : json.readTree(bytes));
        } catch (ApiException | IOException refused) {
            errors.fail(context, refused);
            return;
        }
        context.put(BODY, request);
        context.next();
    }

    private void failed(RoutingContext context) {
        Throwable failure = context.failure();
        if (context.response().ended() || context.response().closed() || failure instanceof HttpClosedException) {
            // Answered already (a 413 that closed the connection), or the client left mid-body: nothing to tell.
            return;
        }
        if (failure == null) {
            // A status only (the body handler's 413, say): RequestChain's failure handler, for every route, answers it.
            context.next();
        } else {
            errors.fail(context, failure);
        }
    }
}
