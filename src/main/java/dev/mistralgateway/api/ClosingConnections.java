package dev.mistralgateway.api;

import io.netty.channel.Channel;
import io.netty.util.AttributeKey;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.impl.ConnectionBase;

/**
 * Connections the gateway is closing after a refusal: whatever the client sent after the refused request (a smuggled
 * request in a body whose framing was in doubt, the rest of a body nobody reads) is not read on, and a request Vert.x
 * already decoded from it is dropped unanswered: one refusal, then the connection closes. Held as an attribute of the
 * connection's Netty channel, so it costs nothing per request until a connection is marked.
 */
final class ClosingConnections {

    private static final AttributeKey<Boolean> CLOSING = AttributeKey.valueOf(ClosingConnections.class.getName());

    private ClosingConnections() {
    }

    /** Stops reading from {@code request}'s connection and marks it: its answer is the last one. */
    static void mark(HttpServerRequest request) {
        Channel channel = channel(request);
        if (channel != null) {
            channel.attr(CLOSING).set(Boolean.TRUE);
            channel.config().setAutoRead(false);
        }
    }

    /** Whether {@code request} came on a connection closing after a refusal: it must not be served. */
    static boolean isClosing(HttpServerRequest request) {
        Channel channel = channel(request);
        return channel != null && channel.hasAttr(CLOSING);
    }

    private static Channel channel(HttpServerRequest request) {
        return request.connection() instanceof ConnectionBase connection ? connection.channel() : null;
    }
}
