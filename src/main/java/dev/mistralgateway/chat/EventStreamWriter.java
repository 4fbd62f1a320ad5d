package dev.mistralgateway.chat;

import java.io.OutputStream;
import java.lang.annotation.Annotation;
import java.lang.reflect.Type;

import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.ext.Provider;

import org.jboss.resteasy.reactive.server.core.ResteasyReactiveRequestContext;
import org.jboss.resteasy.reactive.server.core.ServerSerialisers;
import org.jboss.resteasy.reactive.server.spi.ResteasyReactiveResourceInfo;
import org.jboss.resteasy.reactive.server.spi.ServerMessageBodyWriter;
import org.jboss.resteasy.reactive.server.spi.ServerRequestContext;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServerResponse;

/**
 * Writes an {@link EventStream} entity: the response head (status and headers of the resource's {@code Response}) goes
 * out with the first events, then each event as it comes, straight to the socket; the request stays suspended until
 * the stream has ended or its client has gone. Quarkus REST writes its own Vert.x {@code AsyncFile} entities the same
 * way. Why not {@code RestMulti}: its streaming writer serialises each event through a {@code MessageBodyWriter} into a
 * new array and writes events one at a time, and a chat endpoint answers either JSON or events, decided by the body.
 */
@Provider
public class EventStreamWriter implements ServerMessageBodyWriter<EventStream> {

    @Override
    public boolean isWriteable(Class<?> type, Type genericType, ResteasyReactiveResourceInfo target, MediaType mediaType) {
        return type == EventStream.class;
    }

    @Override
    public boolean isWriteable(Class<?> type, Type genericType, Annotation[] annotations, MediaType mediaType) {
        return type == EventStream.class;
    }

    @Override
    public void writeResponse(EventStream stream, Type genericType, ServerRequestContext context) {
        ResteasyReactiveRequestContext request = (ResteasyReactiveRequestContext) context;
        request.suspend();
        ServerSerialisers.encodeResponseHeaders(request);
        // The head is set on the Vert.x response now; Quarkus REST must not set it again at its first write.
        request.serverResponse().setPreCommitListener(null);
        HttpServerResponse response = request.unwrap(HttpServerResponse.class);
        response.setChunked(true);
        stream.writeTo(response, Vertx.currentContext(), request::resume);
    }

    @Override
    public void writeTo(EventStream stream, Class<?> type, Type genericType, Annotation[] annotations,
            MediaType mediaType, MultivaluedMap<String, Object> headers, OutputStream entity) {
        throw new UnsupportedOperationException("An event stream is written to the socket as its events arrive");
    }
}
