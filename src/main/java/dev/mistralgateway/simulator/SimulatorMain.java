package dev.mistralgateway.simulator;

import java.util.List;
import java.util.concurrent.CountDownLatch;

import io.vertx.core.net.PfxOptions;

/**
 * Runs the simulator on its own, for benchmarks and manual tests:
 * {@code java -cp 'target/quarkus-app/lib/boot/*:target/quarkus-app/lib/main/*:target/quarkus-app/app/*'
 * dev.mistralgateway.simulator.SimulatorMain --port 9090 --api-key sim-key[,sim-key-2] [--latency-ms 50]
 * [--tls-key-store simulator.p12 --tls-password secret]}: with a PKCS12 key store, it serves HTTPS (the benchmark's
 * time to first byte over TLS). The password is read from {@code SIMULATOR_TLS_PASSWORD} when not given.
 */
public final class SimulatorMain {

    private SimulatorMain() {
    }

    public static void main(String[] args) throws InterruptedException {
        MistralSimulator.Options options = MistralSimulator.Options.defaults().withPort(9090);
        long latencyMs = 0;
        String keyStore = null;
        String password = System.getenv("SIMULATOR_TLS_PASSWORD");
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--port" -> options = options.withPort(Integer.parseInt(args[i + 1]));
                case "--api-key" -> options = options.withApiKeys(List.of(args[i + 1].split(",")));
                case "--latency-ms" -> latencyMs = Long.parseLong(args[i + 1]);
                case "--tls-key-store" -> keyStore = args[i + 1];
                case "--tls-password" -> password = args[i + 1];
                default -> throw new IllegalArgumentException("Unknown option " + args[i]
                        + "; options: --port N, --api-key KEY[,KEY...], --latency-ms N, --tls-key-store FILE, --tls-password P");
            }
        }
        if (keyStore != null) {
            options = options.withTls(new PfxOptions().setPath(keyStore).setPassword(password));
        }
        MistralSimulator simulator = MistralSimulator.start(options);
        if (latencyMs > 0) {
            simulator.inject(Fault.of(Fault.Type.LATENCY).latency(latencyMs).times(-1));
        }
        Runtime.getRuntime().addShutdownHook(new Thread(simulator::close));
        System.out.println("Mistral simulator listening on " + simulator.baseUrl()
                + " (API key " + String.join(",", simulator.apiKeys()) + (latencyMs > 0 ? ", " + latencyMs + " ms latency" : "") + ")");
        new CountDownLatch(1).await();
    }
}
