package dev.mistralgateway.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import dev.mistralgateway.simulator.MistralSimulator;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.vertx.core.net.PfxOptions;

/**
 * The simulator serving HTTPS with a self-signed certificate made for the test run ({@code keytool}), and the gateway
 * trusting it through the Quarkus TLS registry: {@code quarkus.tls.mistral.trust-store.pem.certs}, named by
 * {@code mistral.tls-configuration-name}, as an operator configures an egress proxy's CA.
 */
public class HttpsSimulatorResource implements QuarkusTestResourceLifecycleManager {

    static final String PASSWORD = "simulator-secret";
    private static volatile MistralSimulator simulator;
    private static volatile Path keyStore;

    @Override
    public Map<String, String> start() {
        try {
            Path dir = Files.createTempDirectory("https-simulator");
            keyStore = dir.resolve("simulator.p12");
            Path ca = dir.resolve("simulator-ca.pem");
            keytool("-genkeypair", "-alias", "simulator", "-keyalg", "EC", "-groupname", "secp256r1",
                    "-dname", "CN=localhost", "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-validity", "2",
                    "-storetype", "PKCS12", "-keystore", keyStore.toString(), "-storepass", PASSWORD, "-keypass", PASSWORD);
            keytool("-exportcert", "-rfc", "-alias", "simulator", "-keystore", keyStore.toString(), "-storepass", PASSWORD,
                    "-file", ca.toString());
            simulator = MistralSimulator.start(MistralSimulator.Options.defaults()
                    .withTls(new PfxOptions().setPath(keyStore.toString()).setPassword(PASSWORD)));
            return Map.of(
                    "mistral.base-url", simulator.baseUrl(),
                    "mistral.api-key", simulator.apiKey(),
                    "mistral.tls-configuration-name", "mistral",
                    "quarkus.tls.mistral.trust-store.pem.certs", ca.toString());
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException("The HTTPS simulator could not be set up", e);
        }
    }

    /** The running simulator, for its counters. */
    public static MistralSimulator simulator() {
        return simulator;
    }

    /** The simulator's key store (PKCS12, password {@link #PASSWORD}), to trust it from the test too. */
    public static Path keyStore() {
        return keyStore;
    }

    public static String password() {
        return PASSWORD;
    }

    private static void keytool(String... args) throws IOException, InterruptedException {
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        List<String> command = new java.util.ArrayList<>(List.of(keytool.toString()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes());
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
            throw new IOException("keytool failed: " + output);
        }
    }

    @Override
    public void stop() {
        if (simulator != null) {
            simulator.close();
        }
    }
}
