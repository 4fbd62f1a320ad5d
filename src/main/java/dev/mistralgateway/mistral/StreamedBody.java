package dev.mistralgateway.mistral;

import io.vertx.core.http.HttpClientRequest;

/**
 * A request body that goes to Mistral as it arrives from the client (an audio upload), instead of being read whole
 * first. It can be sent only once: a call with such a body is never retried (see {@link MistralUnrepeatableException}).
 */
public interface StreamedBody {

    /** The body's media type, with its parameters (a multipart body's boundary). */
    String contentType();

    /** Its length in bytes, when known before it is sent; -1 sends it chunked. */
    long length();

    /**
     * Writes the body to {@code request}, with backpressure, and ends the request. Called once, when the request to
     * Mistral is open; the caller resets the request when the call ends early (cancelled, failed, refused by Mistral),
     * after which writes fail.
     */
    void sendTo(HttpClientRequest request);
}
