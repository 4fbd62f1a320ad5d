package dev.mistralgateway.mistral;

import java.util.Optional;

import dev.mistralgateway.config.MistralConfig;
import io.quarkus.runtime.configuration.ConfigurationException;
import io.quarkus.tls.TlsConfiguration;
import io.quarkus.tls.TlsConfigurationRegistry;
import io.quarkus.tls.runtime.config.TlsConfigUtils;
import io.vertx.core.http.HttpClientOptions;

/**
 * The TLS of the Vert.x connections to Mistral, from the Quarkus TLS registry ({@code mistral.tls-configuration-name}),
 * the same configuration the REST client ({@link MistralApi}) is given by {@code quarkus.rest-client.mistral.*}.
 */
final class MistralTls {

    private MistralTls() {
    }

    static Optional<TlsConfiguration> configuration(TlsConfigurationRegistry registry, MistralConfig config) {
        Optional<TlsConfiguration> tls = TlsConfiguration.from(registry, config.tlsConfigurationName());
        if (config.tlsConfigurationName().isPresent() && tls.isEmpty()) {
            throw new ConfigurationException("mistral.tls-configuration-name names '" + config.tlsConfigurationName().get()
                    + "', but no quarkus.tls." + config.tlsConfigurationName().get() + ".* configuration exists");
        }
        return tls;
    }

    /** The configuration's trust, key, CRLs and protocol settings, applied by the TLS registry's own helper. */
    static HttpClientOptions clientOptions(Optional<TlsConfiguration> tls) {
        HttpClientOptions options = new HttpClientOptions();
        tls.ifPresent(configuration -> TlsConfigUtils.configure(options, configuration));
        return options;
    }
}
