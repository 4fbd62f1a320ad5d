package dev.mistralgateway.testing;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.awaitility.Awaitility;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real {@code redis-server} (Debian package {@code redis-server}) for tests: on a free port of 127.0.0.1, with a
 * password, its data in a temporary folder with an append-only file (so that a killed and restarted server keeps
 * what it had, like a production Redis with persistence). Missing tool: the test fails when {@code CI=true}, and is
 * skipped, saying why, elsewhere.
 */
public final class RedisServer implements AutoCloseable {

    private final Path executable;
    private final Path dir;
    private final int port;
    private final String password;
    private Process process;
    private int starts;

    private RedisServer(Path executable, Path dir, int port, String password) {
        this.executable = executable;
        this.dir = dir;
        this.port = port;
        this.password = password;
    }

    /** Starts a server, or skips the calling test (fails it on CI) when redis-server is not installed. */
    public static RedisServer start(String password) throws IOException {
        requireInstalled();
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        RedisServer server = new RedisServer(executable().orElseThrow(), Files.createTempDirectory("redis-it"), port, password);
        server.restart();
        return server;
    }

    /** Skips the calling test, saying why, when redis-server is missing; fails it instead when CI=true. */
    public static void requireInstalled() {
        if (executable().isEmpty()) {
            String message = "redis-server is not installed (Debian package redis-server; .ci/run installs it):"
                    + " the shared-state tests need a real Redis";
            if ("true".equals(System.getenv("CI"))) {
                fail(message);
            }
            Assumptions.abort(message);
        }
    }

    /** For {@code @ExtendWith}: {@link #requireInstalled()} before each test of the class. */
    public static final class Required implements BeforeEachCallback {
        @Override
        public void beforeEach(ExtensionContext context) {
            requireInstalled();
        }
    }

    static Optional<Path> executable() {
        return Stream.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
                .map(dir -> Path.of(dir, "redis-server")).filter(Files::isExecutable).findFirst();
    }

    public String url() {
        return "redis://127.0.0.1:" + port;
    }

    public String password() {
        return password;
    }

    /** Ends the server the hard way (SIGKILL), as a crash or a lost node would. */
    public void kill() throws InterruptedException {
        if (process != null) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
            process = null;
        }
    }

    /** Starts it (again) on the same port and data folder, and waits until it accepts connections. */
    public void restart() throws IOException {
        List<String> command = List.of(executable.toString(), "--port", String.valueOf(port), "--bind", "127.0.0.1",
                "--dir", dir.toString(), "--save", "", "--appendonly", "yes", "--appendfsync", "always",
                "--requirepass", password);
        Path log = dir.resolve("redis-" + ++starts + ".log");
        Process started = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        process = started;
        Awaitility.await("redis-server start").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50))
                .until(() -> {
                    if (!started.isAlive()) {
                        throw new IllegalStateException("redis-server exited: " + Files.readString(log));
                    }
                    return Files.readString(log).contains("Ready to accept connections");
                });
    }

    @Override
    public void close() throws InterruptedException {
        kill();
    }
}
