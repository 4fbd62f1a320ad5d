package dev.mistralgateway.config;

import java.util.OptionalDouble;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** What the gateway itself enforces and records, as opposed to how it talks to Mistral ({@link MistralConfig}). */
@ConfigMapping(prefix = "gateway")
public interface GatewayConfig {

    /** Spend control. */
    Budget budget();

    /** The one log line written per API request. */
    AccessLog accessLog();

    interface Budget {
        /**
         * Cap on spend over the rolling last 60 minutes, in USD. Once reached, new requests get 429 until older
         * spend leaves the window; requests already in flight complete. Unset: no cap.
         */
        OptionalDouble hourlyUsd();
    }

    interface AccessLog {
        /** Log one line per API request: request id, endpoint, model, status, latency, tokens. Never content or keys. */
        @WithDefault("true")
        boolean enabled();
    }
}
