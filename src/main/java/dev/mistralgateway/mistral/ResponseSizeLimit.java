package dev.mistralgateway.mistral;

import jakarta.ws.rs.client.ClientRequestContext;
import jakarta.ws.rs.client.ClientResponseContext;
import jakarta.ws.rs.core.HttpHeaders;

import org.jboss.resteasy.reactive.client.impl.PreservesThreadClientResponseFilter;

/**
 * Refuses an answer from Mistral whose declared length is over {@code mistral.max-response-size}, before its body
 * is buffered. (Bodies without a length are bounded by Jackson's read constraints.) Non-blocking, so it runs on the
 * event loop, like {@link dev.mistralgateway.metrics.RateLimitGauges}.
 */
final class ResponseSizeLimit implements PreservesThreadClientResponseFilter {

    private final long maxBytes;

    ResponseSizeLimit(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    @Override
    public void filter(ClientRequestContext request, ClientResponseContext response) {
        // The header map is null when there is no response head.
        String declared = response.getHeaders() == null ? null : response.getHeaders().getFirst(HttpHeaders.CONTENT_LENGTH);
        long length = parse(declared);
        if (length > maxBytes) {
            throw new MistralProtocolException("Mistral's answer of " + length + " bytes is over the gateway's limit of "
                    + maxBytes + " bytes (mistral.max-response-size)", null);
        }
    }

    private static long parse(String header) {
        try {
            return header == null ? -1 : Long.parseLong(header.strip());
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
