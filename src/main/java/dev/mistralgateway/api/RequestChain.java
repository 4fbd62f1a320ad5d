package dev.mistralgateway.api;

import java.util.List;

import dev.mistralgateway.api.ApiException;
import dev.mistralgateway.api.ErrorResponses;
import dev.mistralgateway.metrics.RequestRecord;
import io.quarkus.vertx.http.runtime.filters.Filters;
import io.vertx.core.MultiMap;
import io.vertx.core.VertxException;
import io.vertx.core.http.HttpClosedException;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.impl.HttpServerRequestInternal;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;

/**
 * Every request to the API port passes here first, in one filter, in this order: HTTP framing, canonical path,
 * route ({@link RouteTable}), request record and access line ({@link AccessLog}), client key and its limits
 * ({@link ClientAuthentication}), declared body size against the route's own limit ({@link BodySizeLimit}). Only a
 * public route of a canonical, well-framed request skips the rest. Whatever the router serves (Vert.x routes,
 * JAX-RS resources, routes added later), it serves after this chain.
 */
@Singleton
public class RequestChain {

    /** Before any other filter of the application. */
    static final int PRIORITY = 100;
    /** The key under which Quarkus' HTTP server metrics read a request's route template (their {@code uri} label). */
    static final String URL_TEMPLATE = "UrlPathTemplate";
    /** The {@code uri} label of every path the route table does not list: a client's path never becomes a label. */
    static final String UNKNOWN_TEMPLATE = "UNKNOWN";

    private final RouteTable routes;
    private final AccessLog accessLog;
    private final ClientAuthentication authentication;
    private final BodySizeLimit bodySize;
    private final ErrorResponses errors;

    RequestChain(RouteTable routes, AccessLog accessLog, ClientAuthentication authentication, BodySizeLimit bodySize,
            ErrorResponses errors) {
        this.routes = routes;
        this.accessLog = accessLog;
        this.authentication = authentication;
        this.bodySize = bodySize;
        this.errors = errors;
    }

    void install(@Observes Filters filters) {
        filters.register(this::handle, PRIORITY);
    }

    /**
     * Status-only failures of any route (a chunked body over the limit read by a body handler, say) get the JSON error
     * body too, instead of an empty one. Failures with an exception keep their own handlers.
     */
    void installFailureHandler(@Observes Router router) {
        router.route().order(Integer.MIN_VALUE).failureHandler(context -> {
            if (ClosingConnections.isClosing(context.request())) {
                context.request().connection().close();
            } else if (context.response().headWritten()) {
                context.next();
            } else if (context.failure() instanceof VertxException refusal && !(refusal instanceof HttpClosedException)
                    && context.statusCode() >= 400 && context.statusCode() < 500) {
                // Vert.x Web's own refusals before any route ran: an HTTP/1.1 request without Host, say. Left to the
                // routes' failure handlers they became 500s with an ERROR line each (a flood wrote 9 MB in 3 s).
                errors.refuse(context, new ApiException(context.statusCode(), "invalid_request_error",
                        ApiException.printable(String.valueOf(refusal.getMessage())), null));
            } else if (context.failure() != null) {
                context.next();
            } else if (context.statusCode() == 413) {
                errors.refuse(context, bodySize.tooLarge());
            } else if (context.statusCode() >= 400 && context.statusCode() < 500) {
                errors.refuse(context, new ApiException(context.statusCode(), "invalid_request_error",
                        "The request could not be read (HTTP " + context.statusCode() + ")", null));
            } else {
                context.next();
            }
        });
    }

    private void handle(RoutingContext context) {
        HttpServerRequest request = context.request();
        if (ClosingConnections.isClosing(request)) {
            // Decoded from what followed a refused request on its connection: never a request of the client's.
            request.connection().close();
            return;
        }
        String framing = framingProblem(request.headers());
        String pathProblem = CanonicalPath.problem(request.path());
        Route route = pathProblem == null ? routes.route(request.path()) : Route.unknown();
        ((HttpServerRequestInternal) request).context()
                .putLocal(URL_TEMPLATE, route.isUnknown() ? UNKNOWN_TEMPLATE : route.path());
        if (route.isPublic() && framing == null && hasBody(request.headers())) {
            // Nothing public takes a body: answered and closed, it cannot hold the connection open with one.
            accessLog.start(context, route.endpoint());
            errors.refuse(context, ApiException.badFraming(route.path() + " takes no request body"));
            return;
        }
        if (route.isPublic() && framing == null) {
            accessLog.identify(context);
            context.next();
            return;
        }
        RequestRecord record = accessLog.start(context, route.endpoint());
        if (framing != null) {
            errors.refuse(context, ApiException.badFraming(framing));
        } else if (pathProblem != null) {
            errors.refuse(context, ApiException.invalid("The request path is not in canonical form: " + pathProblem
                    + ". Send the path as documented, e.g. /v1/chat/completions"));
        } else {
            authentication.authenticate(context, record, () -> {
                if (route.isUnknown() && request.path().startsWith("/v1/")) {
                    errors.refuse(context, ApiException.notFound("The gateway serves no endpoint at this path; it"
                            + " serves " + RouteTable.supportedApiPaths()));
                } else if (bodySize.accept(context, route)) {
                    context.next();
                }
            });
        }
    }

    private static boolean hasBody(MultiMap headers) {
        String length = headers.get(HttpHeaders.CONTENT_LENGTH);
        return headers.contains(HttpHeaders.TRANSFER_ENCODING) || length != null && !length.strip().equals("0");
    }

    /**
     * RFC 9112 §6.1: a request with both Transfer-Encoding and Content-Length, or whose Transfer-Encoding is not just
     * chunked, has no length both ends agree on; answering it and reading on would serve the rest of its body as a
     * request ("request smuggling").
     */
    static String framingProblem(MultiMap headers) {
        List<String> encodings = headers.getAll(HttpHeaders.TRANSFER_ENCODING);
        if (encodings.isEmpty()) {
            return null;
        }
        if (headers.contains(HttpHeaders.CONTENT_LENGTH)) {
            return "A request must not have both Transfer-Encoding and Content-Length (RFC 9112, section 6.1)";
        }
        if (encodings.size() != 1 || !encodings.get(0).strip().equalsIgnoreCase("chunked")) {
            return "The only Transfer-Encoding accepted is chunked (RFC 9112, section 6.1)";
        }
        return null;
    }
}
