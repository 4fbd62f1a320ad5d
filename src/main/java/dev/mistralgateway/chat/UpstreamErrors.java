package dev.mistralgateway.chat;

import dev.mistralgateway.mistral.MistralApiException;
import dev.mistralgateway.mistral.MistralException;
import dev.mistralgateway.mistral.MistralProtocolException;
import dev.mistralgateway.mistral.MistralTimeoutException;

/**
 * How a failed Mistral call looks to the gateway's client: Mistral's 4xx pass through with Mistral's status and
 * message (the request was at fault), its 5xx become 502, timeouts 504, broken connections and bodies 502.
 */
final class UpstreamErrors {

    private UpstreamErrors() {
    }

    static ApiException toApi(MistralException failure) {
        if (failure instanceof MistralApiException api) {
            int status = api.status();
            if (status >= 500) {
                return new ApiException(502, "upstream_error",
                        "Mistral failed with HTTP " + status + ": " + api.upstreamMessage(), api.retryAfter().orElse(null));
            }
            String message = status == 401 || status == 403
                    ? "Mistral rejected the gateway's API key (HTTP " + status + "): " + api.upstreamMessage()
                    : api.upstreamMessage();
            return new ApiException(status, typeOf(status), message, api.retryAfter().orElse(null));
        }
        if (failure instanceof MistralTimeoutException) {
            return new ApiException(504, "upstream_timeout", failure.getMessage(), null);
        }
        if (failure instanceof MistralProtocolException) {
            return new ApiException(502, "upstream_invalid_response", failure.getMessage(), null);
        }
        return new ApiException(502, "upstream_unavailable", failure.getMessage(), null);
    }

    private static String typeOf(int status) {
        return switch (status) {
            case 401, 403 -> "upstream_authentication_error";
            case 404 -> "not_found_error";
            case 429 -> "rate_limit_error";
            default -> "invalid_request_error";
        };
    }
}
