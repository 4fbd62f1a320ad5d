package dev.mistralgateway.simulator;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.util.List;

import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

import org.jboss.logging.Logger;

import dev.mistralgateway.config.MistralConfig;
import dev.mistralgateway.config.MistralConfigValidator;
import dev.mistralgateway.mistral.MistralEndpoint;
import io.quarkus.arc.profile.IfBuildProfile;
import io.quarkus.runtime.Startup;
import io.vertx.core.Vertx;

/**
 * The Mistral endpoint of the dev build (in place of {@code MistralEndpointProducer}, which the dev build leaves out):
 * the configured API when {@code MISTRAL_API_KEY} is set; without it, the gateway talks to a simulator it starts on the
 * application's Vert.x. The simulator outlives live reloads: its URL and key are kept in system properties, and a
 * reload finds it still listening there, with the faults injected into it, so a saved URL stays valid.
 */
@Singleton
@IfBuildProfile("dev")
public class DevModeSimulator {

    static final String URL_PROPERTY = "mistral-gateway.dev-simulator.url";
    static final String KEY_PROPERTY = "mistral-gateway.dev-simulator.key";
    private static final Logger LOG = Logger.getLogger(DevModeSimulator.class);

    @Produces
    @Singleton
    @Startup
    MistralEndpoint endpoint(MistralConfig config, Vertx vertx) {
        MistralConfigValidator.validate(config);
        if (config.apiKey().isPresent() || config.apiKeys().isPresent() || !config.simulator().enabled()) {
            return MistralEndpoint.configured(config);
        }
        MistralEndpoint endpoint = reuseOrStart(vertx, config.models());
        LOG.infof("No MISTRAL_API_KEY set: dev mode is using the built-in Mistral simulator at %s "
                + "(echo answers, fault injection at %s/_simulator). Set MISTRAL_API_KEY to call the real Mistral API.",
                endpoint.baseUrl(), endpoint.baseUrl());
        return endpoint;
    }

    /** The simulator of an earlier start of this JVM if it still listens, else a new one (on the same port if known). */
    static MistralEndpoint reuseOrStart(Vertx vertx, List<String> models) {
        String url = System.getProperty(URL_PROPERTY);
        String key = System.getProperty(KEY_PROPERTY);
        if (url != null && key != null && listening(URI.create(url))) {
            return new MistralEndpoint(URI.create(url), key);
        }
        MistralSimulator.Options options = MistralSimulator.Options.defaults().withModels(models);
        if (url != null) {
            options = options.withPort(URI.create(url).getPort());
        }
        MistralSimulator simulator = MistralSimulator.start(vertx, options);
        System.setProperty(URL_PROPERTY, simulator.baseUrl());
        System.setProperty(KEY_PROPERTY, simulator.apiKey());
        return new MistralEndpoint(URI.create(simulator.baseUrl()), simulator.apiKey());
    }

    private static boolean listening(URI url) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(url.getHost(), url.getPort()), 500);
            return true;
        } catch (IOException gone) {
            return false;
        }
    }
}
