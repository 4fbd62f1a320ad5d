package dev.mistralgateway.mistral;

import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import dev.mistralgateway.config.MistralConfig;
import dev.mistralgateway.config.MistralConfigValidator;
import io.quarkus.arc.profile.UnlessBuildProfile;
import io.quarkus.runtime.Startup;

/**
 * The Mistral endpoint of every build but the dev build: the configured API. The dev build has its own producer in the
 * simulator package (the simulator without a key), so production code never reaches the simulator, and the two
 * producers are never both in one build: this one would refuse to start without a key.
 */
@Singleton
@UnlessBuildProfile("dev")
public class MistralEndpointProducer {

    private static final Logger LOG = Logger.getLogger(MistralEndpointProducer.class);

    /** Resolved at startup, so a missing key or a bad configuration stops the start, with every problem named. */
    @Produces
    @Singleton
    @Startup
    MistralEndpoint endpoint(MistralConfig config) {
        MistralConfigValidator.validate(config);
        MistralEndpoint endpoint = MistralEndpoint.configured(config);
        LOG.infof("Mistral upstream: %s with %d key(s): %s", endpoint.baseUrl(), endpoint.keyNames().size(),
                String.join(", ", endpoint.keyNames()));
        return endpoint;
    }
}
