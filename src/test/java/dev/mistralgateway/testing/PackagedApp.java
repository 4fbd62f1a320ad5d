package dev.mistralgateway.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The packaged application's processes for integration tests: the standalone simulator and the gateway jar, each
 * configured only through its environment, on free ports of 127.0.0.1, logging to a file. {@link #close()} stops
 * every process it started.
 */
public final class PackagedApp implements AutoCloseable {

    public static final Path APP = Path.of("target", "quarkus-app");

    private final List<Process> processes = new ArrayList<>();

    /** A packaged gateway: its API port, its management port (metrics and probes), its log and process. */
    public record Gateway(int port, int managementPort, Path log, Process process) {
        public URI uri(String path) {
            return URI.create("http://127.0.0.1:" + port + path);
        }

        public URI management(String path) {
            return URI.create("http://127.0.0.1:" + managementPort + path);
        }
    }

    /** A check polled by {@link #waitFor}. */
    public interface Check {
        boolean passes() throws Exception;
    }

    /** The simulator, standalone, accepting {@code mistralKey}; returns its port once it listens. */
    public int startSimulator(String mistralKey) throws Exception {
        int port = freePort();
        Path log = start(List.of(java(), "-cp", classpath(), "dev.mistralgateway.simulator.SimulatorMain",
                "--port", String.valueOf(port), "--api-key", mistralKey), Map.of());
        waitFor(() -> Files.readString(log).contains("listening"), "simulator start");
        return port;
    }

    /** The gateway jar, calling the simulator on {@code simulatorPort} with {@code mistralKey}, serving one client key. */
    public Gateway startGateway(String mistralKey, int simulatorPort, String clientKey, Map<String, String> extraEnv)
            throws IOException {
        int port = freePort();
        int managementPort = freePort();
        Map<String, String> env = new HashMap<>(Map.of(
                "MISTRAL_API_KEY", mistralKey,
                "MISTRAL_BASE_URL", "http://127.0.0.1:" + simulatorPort,
                "GATEWAY_API_KEYS", "ops=" + clientKey,
                "QUARKUS_HTTP_PORT", String.valueOf(port),
                "QUARKUS_MANAGEMENT_PORT", String.valueOf(managementPort)));
        env.putAll(extraEnv);
        Path log = start(List.of(java(), "-jar", APP.resolve("quarkus-run.jar").toString()), env);
        return new Gateway(port, managementPort, log, processes.get(processes.size() - 1));
    }

    /**
     * Starts {@code command} with none of this JVM's Mistral, gateway or Quarkus variables, only {@code env}; returns
     * its log.
     */
    public Path start(List<String> command, Map<String, String> env) throws IOException {
        return start(Path.of(""), command, env);
    }

    /** As {@link #start(List, Map)}, in {@code directory}. */
    public Path start(Path directory, List<String> command, Map<String, String> env) throws IOException {
        Path log = Files.createTempFile("packaged-app", ".log");
        ProcessBuilder builder = new ProcessBuilder(command).directory(directory.toAbsolutePath().toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().keySet().removeIf(name -> name.startsWith("MISTRAL_") || name.startsWith("GATEWAY_")
                || name.startsWith("QUARKUS_"));
        // Each process gets a management port of its own, so that tests never meet on 9000.
        builder.environment().put("QUARKUS_MANAGEMENT_PORT", String.valueOf(freePort()));
        builder.environment().putAll(env);
        Process process = builder.start();
        process.getOutputStream().close(); // no one types: its input ends at once, as from /dev/null
        processes.add(process);
        return log;
    }

    /** The last process started. */
    public Process last() {
        return processes.get(processes.size() - 1);
    }

    /** Stops every process started, children first (a shell's or Maven's), each given 10 s to end gracefully. */
    @Override
    public void close() throws InterruptedException {
        for (Process process : processes) {
            List<ProcessHandle> children = process.descendants().toList();
            children.forEach(ProcessHandle::destroy);
            process.destroy();
            for (ProcessHandle child : children) {
                stop(child);
            }
            stop(process.toHandle());
        }
        processes.clear();
    }

    private static void stop(ProcessHandle process) throws InterruptedException {
        try {
            process.onExit().get(10, TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException slow) {
            process.destroyForcibly();
        }
    }

    public static void waitFor(Check check, String what) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (check.passes()) {
                return;
            }
            TimeUnit.MILLISECONDS.sleep(100);
        }
        throw new AssertionError("timed out waiting for " + what);
    }

    public static String classpath() {
        return String.join(java.io.File.pathSeparator, APP.resolve("lib/boot/*").toString(),
                APP.resolve("lib/main/*").toString(), APP.resolve("app/*").toString());
    }

    public static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    public static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
