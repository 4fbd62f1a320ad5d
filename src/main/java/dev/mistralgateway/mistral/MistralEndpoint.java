package dev.mistralgateway.mistral;

import java.net.URI;

import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import dev.mistralgateway.config.MistralConfig;
import dev.mistralgateway.config.MistralConfigValidator;
import dev.mistralgateway.simulator.MistralSimulator;
import io.quarkus.runtime.LaunchMode;
import io.quarkus.runtime.Startup;
import io.quarkus.runtime.configuration.ConfigurationException;
import io.vertx.core.Vertx;

/**
 * Where the gateway sends its Mistral calls and with which key. Resolved once at startup: the configured API
 * (key from {@code MISTRAL_API_KEY}), or, in dev mode without a key, the built-in simulator on a free port.
 */
@Startup
@Singleton
public class MistralEndpoint {

    private static final Logger LOG = Logger.getLogger(MistralEndpoint.class);

    private final URI baseUrl;
    private final String authorization;
    private final MistralSimulator devSimulator;

    MistralEndpoint(MistralConfig config, Vertx vertx) {
        MistralConfigValidator.validate(config);
        if (config.apiKey().isPresent()) {
            this.devSimulator = null;
            this.baseUrl = config.baseUrl();
            this.authorization = "Bearer " + config.apiKey().get().strip();
            LOG.infof("Mistral upstream: %s (API key from MISTRAL_API_KEY)", baseUrl);
        } else if (LaunchMode.current() == LaunchMode.DEVELOPMENT && config.simulator().enabled()) {
            this.devSimulator = MistralSimulator.start(vertx, MistralSimulator.Options.defaults()
                    .withModels(config.models()));
            this.baseUrl = URI.create(devSimulator.baseUrl());
            this.authorization = "Bearer " + devSimulator.apiKey();
            LOG.infof("No MISTRAL_API_KEY set: dev mode is using the built-in Mistral simulator at %s "
                    + "(echo answers, fault injection at %s/_simulator). Set MISTRAL_API_KEY to call the real Mistral API.",
                    baseUrl, baseUrl);
        } else {
            throw new ConfigurationException("mistral.api-key is required: set the MISTRAL_API_KEY environment variable"
                    + " (from a Kubernetes Secret in production)");
        }
    }

    public URI baseUrl() {
        return baseUrl;
    }

    /** The {@code Authorization} header value for Mistral. Never log it. */
    String authorization() {
        return authorization;
    }

    @PreDestroy
    void stopDevSimulator() {
        if (devSimulator != null) {
            devSimulator.close();
        }
    }

    @Override
    public String toString() {
        return "MistralEndpoint[" + baseUrl + "]";
    }
}
