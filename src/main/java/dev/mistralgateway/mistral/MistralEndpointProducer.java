package dev.mistralgateway.mistral;

import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import dev.mistralgateway.config.MistralConfig;
import dev.mistralgateway.config.MistralConfigValidator;
import io.quarkus.arc.DefaultBean;
import io.quarkus.runtime.Startup;

/**
 * The Mistral endpoint of every build: the configured API. Dev mode may replace it with the simulator (a bean of the
 * simulator package, only in the dev build), so production code never reaches the simulator.
 */
@Singleton
public class MistralEndpointProducer {

    private static final Logger LOG = Logger.getLogger(MistralEndpointProducer.class);

    /** Resolved at startup, so a missing key or a bad configuration stops the start, with every problem named. */
    @Produces
    @Singleton
    @Startup
    @DefaultBean
    MistralEndpoint endpoint(MistralConfig config) {
        MistralConfigValidator.validate(config);
        MistralEndpoint endpoint = MistralEndpoint.configured(config);
        LOG.infof("Mistral upstream: %s (API key from MISTRAL_API_KEY)", endpoint.baseUrl());
        return endpoint;
    }
}
