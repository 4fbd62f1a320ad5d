package dev.mistralgateway.docs;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Just enough of the shell's grammar to take the documented commands apart (comments, pipelines, words), and a way to
 * run one as printed.
 */
final class Shell {

    private static final Pattern ASSIGNMENT = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*=.*");

    /** One simple command of a pipeline or list: its leading variable assignments, then its words. */
    record Simple(List<String> assignments, List<String> words) {
        String program() {
            return words.isEmpty() ? "" : words.get(0);
        }

        String variable(String assignment) {
            return assignment.substring(0, assignment.indexOf('='));
        }
    }

    /** A finished command: its exit code and its output (stdout and stderr, stripped). */
    record Result(int exitCode, String output) {
    }

    private Shell() {
    }

    /** Runs {@code command} with bash in {@code directory}; fails when it takes longer than {@code seconds}. */
    static Result run(String command, Path directory, int seconds) throws IOException, InterruptedException {
        Path log = Files.createTempFile("documented-command", ".log");
        try {
            Process process = new ProcessBuilder("bash", "-c", command).directory(directory.toAbsolutePath().toFile())
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor();
                throw new AssertionError(command + " did not finish in " + seconds + " s:\n" + Files.readString(log));
            }
            return new Result(process.exitValue(), Files.readString(log).strip());
        } finally {
            Files.deleteIfExists(log);
        }
    }

    static boolean onPath(String tool) {
        return Stream.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
                .anyMatch(directory -> !directory.isEmpty() && Files.isExecutable(Path.of(directory, tool)));
    }

    /** The line without a trailing {@code # comment} (a {@code #} that starts a word outside quotes). */
    static String stripComment(String line) {
        char quote = 0;
        for (int i = 0; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quote != 0) {
                quote = c == quote ? 0 : quote;
            } else if (c == '\'' || c == '"') {
                quote = c;
            } else if (c == '#' && (i == 0 || Character.isWhitespace(line.charAt(i - 1)))) {
                return line.substring(0, i);
            }
        }
        return line;
    }

    /** Whether the text ends inside a quoted string. */
    static boolean openQuote(String text) {
        char quote = 0;
        for (char c : text.toCharArray()) {
            if (quote != 0) {
                quote = c == quote ? 0 : quote;
            } else if (c == '\'' || c == '"') {
                quote = c;
            }
        }
        return quote != 0;
    }

    /** The simple commands of a command line, split at {@code | || && ; &} outside quotes. */
    static List<Simple> simpleCommands(String line) {
        List<Simple> commands = new ArrayList<>();
        List<String> words = new ArrayList<>();
        StringBuilder word = null;
        char quote = 0;
        for (int i = 0; i <= line.length(); i++) {
            char c = i < line.length() ? line.charAt(i) : ' ';
            boolean end = i == line.length();
            if (quote != 0 && !end) {
                if (c == quote) {
                    quote = 0;
                } else {
                    word.append(c);
                }
                continue;
            }
            if (c == '\'' || c == '"') {
                quote = c;
                word = word == null ? new StringBuilder() : word;
            } else if (Character.isWhitespace(c) || c == '|' || c == '&' || c == ';') {
                if (word != null) {
                    words.add(word.toString());
                    word = null;
                }
                if (c != ' ' || end) {
                    if (!words.isEmpty()) {
                        commands.add(simple(words));
                    }
                    words = new ArrayList<>();
                }
            } else {
                word = word == null ? new StringBuilder() : word;
                word.append(c);
            }
        }
        return commands;
    }

    private static Simple simple(List<String> words) {
        int first = 0;
        while (first < words.size() && ASSIGNMENT.matcher(words.get(first)).matches()) {
            first++;
        }
        return new Simple(List.copyOf(words.subList(0, first)), List.copyOf(words.subList(first, words.size())));
    }
}
