package dev.mistralgateway.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.Assumptions;

/**
 * A Node.js check of the tests (its {@code package.json}, {@code package-lock.json} and scripts under
 * {@code src/test/<name>}), installed from the npm registry with {@code npm ci} into {@code target/<name>-node} once
 * per lock file, and run there.
 */
public final class NodeProject {

    private static final String REGISTRY = "https://registry.npmjs.org/";

    private final Path sources;
    private final Path directory;

    /** A finished command: its exit code and its output. */
    public record Result(int exitCode, String output) {
    }

    public NodeProject(String name) {
        this.sources = Path.of("src", "test", name);
        this.directory = Path.of("target", name + "-node");
    }

    /**
     * Each of {@code tools} answers {@code --version}, or the test is skipped, naming the missing one; in CI
     * ({@code CI=true}) it fails instead, since CI must run it.
     */
    public static void require(String purpose, List<String> tools) {
        if (!present(purpose, tools)) {
            Assumptions.abort(purpose + " is skipped outside CI");
        }
    }

    /**
     * Whether each of {@code tools} answers {@code --version}; when one does not, says which (and fails in CI, which
     * must run every check), so that a test can leave out only the step that needs it.
     */
    public static boolean present(String purpose, List<String> tools) {
        for (String tool : tools) {
            boolean found;
            try {
                Process process = new ProcessBuilder(tool, "--version").redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                found = process.waitFor(60, TimeUnit.SECONDS) && process.exitValue() == 0;
            } catch (IOException | InterruptedException e) {
                found = false;
            }
            if (!found) {
                String message = tool + " is not installed: " + purpose + " cannot run";
                if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                    fail(message + "; CI must run it (.ci/run installs it)");
                }
                System.out.println(message + "; skipped outside CI");
                return false;
            }
        }
        return true;
    }

    /** {@code npm ci} of the pinned packages, unless that lock file is installed already; copies the scripts. */
    public NodeProject install() throws Exception {
        Files.createDirectories(directory);
        try (Stream<Path> files = Files.list(sources)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                Files.copy(file, directory.resolve(file.getFileName()), StandardCopyOption.REPLACE_EXISTING);
            }
        }
        Path stamp = directory.resolve("node_modules").resolve(".installed-lock.json");
        String lock = Files.readString(sources.resolve("package-lock.json"));
        if (Files.exists(stamp) && Files.readString(stamp).equals(lock)) {
            return this;
        }
        Result install = run(List.of("npm", "ci", "--no-audit", "--no-fund", "--registry=" + REGISTRY),
                Map.of("NPM_CONFIG_UPDATE_NOTIFIER", "false"), 300);
        assertEquals(0, install.exitCode(), "npm ci failed:\n" + install.output());
        Files.writeString(stamp, lock);
        return this;
    }

    /** Runs {@code command} in the installed directory with {@code env} added. */
    public Result run(List<String> command, Map<String, String> env, int timeoutSeconds)
            throws IOException, InterruptedException {
        Files.createDirectories(directory);
        Path log = Files.createTempFile("node-check", ".log");
        ProcessBuilder builder = new ProcessBuilder(command).directory(directory.toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().putAll(env);
        Process process = builder.start();
        if (!process.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            return new Result(-1, "timed out after " + timeoutSeconds + " s\n" + Files.readString(log));
        }
        return new Result(process.exitValue(), Files.readString(log));
    }

    public Path directory() {
        return directory;
    }
}
