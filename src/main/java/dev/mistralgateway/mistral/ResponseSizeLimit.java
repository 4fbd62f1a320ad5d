package dev.mistralgateway.mistral;

import jakarta.ws.rs.client.ClientRequestContext;
import jakarta.ws.rs.client.ClientResponseContext;
import jakarta.ws.rs.client.ClientResponseFilter;

/**
 * Refuses an answer from Mistral whose declared length is over {@code mistral.max-response-size}, before its body
 * is buffered. (Bodies without a length are bounded by Jackson's read constraints.)
 */
final class ResponseSizeLimit implements ClientResponseFilter {

    private final long maxBytes;

    ResponseSizeLimit(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    @Override
    public void filter(ClientRequestContext request, ClientResponseContext response) {
        int length = response.getLength();
        if (length > maxBytes) {
            throw new MistralProtocolException("Mistral's answer of " + length + " bytes is over the gateway's limit of "
                    + maxBytes + " bytes (mistral.max-response-size)", null);
        }
    }
}
