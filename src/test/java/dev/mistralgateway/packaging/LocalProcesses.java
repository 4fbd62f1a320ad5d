package dev.mistralgateway.packaging;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.awaitility.Awaitility;

/**
 * The packaged jar and the standalone simulator as processes on 127.0.0.1, configured through the environment only,
 * each with its own log file; {@link #stopAll()} ends every one of them.
 */
final class LocalProcesses {

    static final Path APP = Path.of("target", "quarkus-app");

    private final List<Process> processes = new ArrayList<>();

    /** The simulator, standalone, accepting {@code apiKey}; returns its port once it listens. */
    int startSimulator(String apiKey) throws IOException {
        int port = freePort();
        Path log = start(List.of(java(), "-cp", classpath(), "dev.mistralgateway.simulator.SimulatorMain",
                "--port", String.valueOf(port), "--api-key", apiKey), Map.of());
        awaitLog(log, "listening", "simulator start");
        return port;
    }

    /** The packaged gateway with {@code env} (and nothing of this JVM's Mistral or gateway variables). */
    Path startGateway(Map<String, String> env) throws IOException {
        return start(List.of(java(), "-jar", APP.resolve("quarkus-run.jar").toString()), env);
    }

    Path start(List<String> command, Map<String, String> env) throws IOException {
        Path log = Files.createTempFile("packaged-jar-it", ".log");
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().keySet().removeIf(name -> name.startsWith("MISTRAL_") || name.startsWith("GATEWAY_")
                || name.startsWith("QUARKUS_"));
        builder.environment().putAll(env);
        processes.add(builder.start());
        return log;
    }

    /** The process started last. */
    Process last() {
        return processes.get(processes.size() - 1);
    }

    static void awaitLog(Path log, String text, String what) {
        Awaitility.await(what).atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                .until(() -> Files.readString(log).contains(text));
    }

    void stopAll() throws InterruptedException {
        for (Process process : processes) {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
        processes.clear();
    }

    private static String classpath() {
        return String.join(java.io.File.pathSeparator, APP.resolve("lib/boot/*").toString(),
                APP.resolve("lib/main/*").toString(), APP.resolve("app/*").toString());
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
