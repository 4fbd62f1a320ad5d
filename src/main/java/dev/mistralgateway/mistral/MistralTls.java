package dev.mistralgateway.mistral;

import java.util.Optional;

import dev.mistralgateway.config.MistralConfig;
import io.quarkus.runtime.configuration.ConfigurationException;
import io.quarkus.tls.TlsConfiguration;
import io.quarkus.tls.TlsConfigurationRegistry;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.net.SSLOptions;

/**
 * The TLS of the connections to Mistral, from the Quarkus TLS registry ({@code mistral.tls-configuration-name}): its
 * trust, key and protocol settings as Vert.x HTTP client options.
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

    static HttpClientOptions clientOptions(Optional<TlsConfiguration> tls) {
        HttpClientOptions options = new HttpClientOptions();
        tls.ifPresent(configuration -> {
            if (configuration.getTrustStoreOptions() != null) {
                options.setTrustOptions(configuration.getTrustStoreOptions());
            }
            if (configuration.getKeyStoreOptions() != null) {
                options.setKeyCertOptions(configuration.getKeyStoreOptions());
            }
            options.setTrustAll(configuration.isTrustAll());
            options.setVerifyHost(!"NONE".equalsIgnoreCase(configuration.getHostnameVerificationAlgorithm().orElse("HTTPS")));
            options.setForceSni(configuration.usesSni());
            SSLOptions ssl = configuration.getSSLOptions();
            if (ssl != null) {
                options.setEnabledSecureTransportProtocols(ssl.getEnabledSecureTransportProtocols());
                ssl.getEnabledCipherSuites().forEach(options::addEnabledCipherSuite);
                options.setSslHandshakeTimeout(ssl.getSslHandshakeTimeout());
                options.setSslHandshakeTimeoutUnit(ssl.getSslHandshakeTimeoutUnit());
                options.setUseAlpn(ssl.isUseAlpn());
            }
        });
        return options;
    }
}
