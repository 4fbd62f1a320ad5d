package dev.mistralgateway.api;

import java.io.IOException;
import java.util.Locale;
import java.util.function.BiConsumer;

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
 * How every POST endpoint of Mistral's API is served: a Vert.x route that checks method (405 with {@code Allow}) and
 * media type (415) before reading a byte, reads the body up to {@code quarkus.http.limits.max-body-size} whatever its
 * framing (413), parses one JSON object strictly (400), and hands it to the endpoint. A plain answer goes out in one
 * write with its length. Every refusal is the gateway's JSON error.
 * <p>
 * Vert.x routes rather than JAX-RS resources: JAX-RS fixes the kind of response per method (chat answers either JSON or
 * an event stream), answers a chunked body over the limit with an empty 413, and costs about a quarter more CPU per
 * call (measured on chat).
 */
@Singleton
public class JsonPostRoutes {

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

    /** Serves {@code POST path}: {@code endpoint} gets each request's JSON object, and answers or fails it. */
    public void post(Router router, String path, BiConsumer<RoutingContext, ObjectNode> endpoint) {
        router.route(path).handler(this::checkRequest);
        router.post(path)
                .handler(BodyHandler.create(false).setBodyLimit(maxBodyBytes))
                .handler(context -> parsed(context, endpoint))
                .failureHandler(this::failed);
    }

    /** Answers with {@code body} (JSON) in one write, unless the client has gone. */
    public void answer(RoutingContext context, Buffer body) {
        if (!context.response().closed()) {
            context.response().putHeader(HttpHeaders.CONTENT_TYPE, MediaType.APPLICATION_JSON).end(body);
        }
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

    private void parsed(RoutingContext context, BiConsumer<RoutingContext, ObjectNode> endpoint) {
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
        endpoint.accept(context, request);
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
