package dev.mistralgateway.mistral;

import java.util.function.BiConsumer;
import java.util.function.Function;

import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;

import io.smallrye.mutiny.Uni;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;

/**
 * Mistral's plain (not streamed) answers, read with a bound: an answer over {@code mistral.max-response-size} is
 * refused as soon as its declared length or, when it is chunked, its bytes so far pass the limit, and its request is
 * reset, so one call can never make the gateway buffer more than the limit (src/docs/decisions.md says why this is not
 * the REST client's work). A cancellation resets the request at any point. A body is sent whole (JSON) or streamed as it arrives ({@link StreamedBody}).
 */
final class MistralCalls {

    /** Enough for any error message Mistral writes; the rest of an error body is not read. */
    static final int MAX_ERROR_BYTES = 64 * 1024;

    private final MistralConnections connections;
    private final long maxBytes;
    /** Takes the headers of every answer, for the key it came on (its rate limits). */
    private final BiConsumer<UpstreamKey, MultiMap> answered;

    MistralCalls(MistralConnections connections, long maxBytes, BiConsumer<UpstreamKey, MultiMap> answered) {
        this.connections = connections;
        this.maxBytes = maxBytes;
        this.answered = answered;
    }

    /** {@code POST path} with a JSON {@code body}, on {@code key}; completes with the whole answer of a 2xx. */
    Uni<Buffer> post(String path, UpstreamKey key, byte[] body, Cancellation cancellation) {
        RequestOptions options = options(HttpMethod.POST, path, key)
                .putHeader(HttpHeaders.CONTENT_TYPE, MediaType.APPLICATION_JSON);
        return send(key, options, request -> request.send(Buffer.buffer(body)), cancellation);
    }

    /**
     * {@code POST path} with a body that {@code upload} streams as it arrives; completes with the whole answer of a
     * 2xx, which may come before the body is all sent (Mistral refusing it), and then resets the rest of the upload.
     */
    Uni<Buffer> upload(String path, UpstreamKey key, StreamedBody upload, Cancellation cancellation) {
        RequestOptions options = options(HttpMethod.POST, path, key)
                .putHeader(HttpHeaders.CONTENT_TYPE, upload.contentType());
        if (upload.length() >= 0) {
            options.putHeader(HttpHeaders.CONTENT_LENGTH, String.valueOf(upload.length()));
        }
        return send(key, options, request -> {
            if (upload.length() < 0) {
                request.setChunked(true);
            }
            upload.sendTo(request);
            return request.response();
        }, cancellation);
    }

    private RequestOptions options(HttpMethod method, String path, UpstreamKey key) {
        return new RequestOptions().setMethod(method).setURI(connections.uri(path))
                .putHeader(HttpHeaders.AUTHORIZATION, key.authorization())
                .putHeader(HttpHeaders.ACCEPT, MediaType.APPLICATION_JSON);
    }

    /** Opens the request, lets {@code sender} send it, and reads the answer with the size bound. */
    private Uni<Buffer> send(UpstreamKey key, RequestOptions options,
            Function<HttpClientRequest, Future<HttpClientResponse>> sender, Cancellation cancellation) {
        return Uni.createFrom().emitter(emitter -> {
            connections.client().request(options).onComplete(created -> {
                if (created.failed()) {
                    emitter.fail(MistralClient.translate(created.cause()));
                    return;
                }
                HttpClientRequest request = created.result();
                request.exceptionHandler(ignored -> {
                    // Failures reach the response future; nothing is left for Vert.x to log as unhandled.
                });
                Promise<Buffer> answer = Promise.promise();
                // Reset unless the answer was read whole (a no-op then): cancelled, failed, timed out.
                emitter.onTermination(() -> {
                    if (!answer.future().succeeded()) {
                        request.reset();
                    }
                });
                cancellation.onCancel(request::reset);
                sender.apply(request).onComplete(sent -> {
                    if (sent.failed()) {
                        emitter.fail(MistralClient.translate(sent.cause()));
                    } else {
                        answered.accept(key, sent.result().headers());
                        read(request, sent.result(), answer);
                        answer.future().onComplete(read -> {
                            if (read.succeeded()) {
                                emitter.complete(read.result());
                            } else {
                                emitter.fail(read.cause() instanceof MistralException known ? known
                                        : MistralClient.translate(read.cause()));
                            }
                        });
                    }
                });
            });
        });
    }

    private void read(HttpClientRequest request, HttpClientResponse response, Promise<Buffer> answer) {
        if (response.statusCode() / 100 != 2) {
            errorOf(response).onComplete(error -> answer.tryFail(error.succeeded() ? error.result() : error.cause()));
            return;
        }
        long declared = length(response.getHeader(HttpHeaders.CONTENT_LENGTH));
        response.exceptionHandler(answer::tryFail);
        if (declared > maxBytes) {
            answer.tryFail(tooLarge(declared + " bytes"));
            request.reset();
            return;
        }
        Buffer received = Buffer.buffer(declared > 0 ? (int) declared : 1024);
        response.handler(chunk -> {
            if (received.length() + chunk.length() > maxBytes) {
                if (answer.tryFail(tooLarge("more than " + maxBytes + " bytes"))) {
                    request.reset();
                }
            } else {
                received.appendBuffer(chunk);
            }
        });
        response.endHandler(end -> answer.tryComplete(received));
    }

    /** Mistral's error answer as a {@link MistralApiException}, reading at most {@value #MAX_ERROR_BYTES} of its body. */
    static Future<MistralApiException> errorOf(HttpClientResponse response) {
        int status = response.statusCode();
        String retryAfter = response.getHeader(HttpHeaders.RETRY_AFTER);
        Promise<MistralApiException> error = Promise.promise();
        Buffer body = Buffer.buffer();
        response.handler(chunk -> {
            if (body.length() < MAX_ERROR_BYTES) {
                body.appendBuffer(chunk, 0, Math.min(chunk.length(), MAX_ERROR_BYTES - body.length()));
            }
        });
        response.exceptionHandler(error::tryFail);
        response.endHandler(end -> error.tryComplete(MistralApiException.of(status, body.toString(), retryAfter)));
        response.resume();
        return error.future();
    }

    private MistralProtocolException tooLarge(String size) {
        return new MistralProtocolException("Mistral's answer of " + size + " is over the gateway's limit of " + maxBytes
                + " bytes (mistral.max-response-size)", null);
    }

    private static long length(String header) {
        try {
            return header == null ? -1 : Long.parseLong(header.strip());
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
