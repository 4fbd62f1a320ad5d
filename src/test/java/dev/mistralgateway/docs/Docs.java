package dev.mistralgateway.docs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The project's Markdown documents read the way GitHub renders them: headings and their anchors, links, the shell
 * blocks and the inline code of the prose. Enough Markdown for these documents, not a general parser.
 */
final class Docs {

    static final Path README = Path.of("README.md");
    static final Path DOCS = Path.of("src/docs");

    private static final Pattern HEADING = Pattern.compile("^(#{1,6})\\s+(.*?)\\s*#*\\s*$");
    private static final Pattern LINK = Pattern.compile("!?\\[([^\\]]*)\\]\\(([^)\\s]+)(?:\\s+\"[^\"]*\")?\\)");
    private static final Pattern CODE_SPAN = Pattern.compile("`([^`]+)`");
    private static final Pattern HTML_ID = Pattern.compile("<a\\s+(?:id|name)=\"([^\"]+)\"");

    /** A link or command and where it is written, for messages that say where to fix it. */
    record Located(Path file, int line, String text) {
        @Override
        public String toString() {
            return file + ":" + line + ": " + text;
        }
    }

    private Docs() {
    }

    /** README.md and every document under src/docs/. */
    static List<Path> all() {
        List<Path> files = new ArrayList<>(List.of(README));
        try (Stream<Path> docs = Files.list(DOCS)) {
            docs.filter(file -> file.toString().endsWith(".md")).sorted().forEach(files::add);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return files;
    }

    static List<String> lines(Path file) {
        try {
            return Files.readAllLines(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Lines outside fenced code blocks, with their 1-based numbers; fenced lines come back as null. */
    static List<String> prose(Path file) {
        List<String> prose = new ArrayList<>();
        boolean fenced = false;
        for (String line : lines(file)) {
            if (line.stripLeading().startsWith("```")) {
                fenced = !fenced;
                prose.add(null);
            } else {
                prose.add(fenced ? null : line);
            }
        }
        return prose;
    }

    /** The anchors GitHub gives the file's headings (duplicates numbered -1, -2, ...) and its explicit HTML ids. */
    static Set<String> anchors(Path file) {
        Set<String> anchors = new LinkedHashSet<>();
        Map<String, Integer> seen = new HashMap<>();
        for (String line : prose(file)) {
            if (line == null) {
                continue;
            }
            Matcher heading = HEADING.matcher(line);
            if (heading.matches()) {
                String slug = slug(heading.group(2));
                int count = seen.merge(slug, 1, Integer::sum);
                anchors.add(count == 1 ? slug : slug + "-" + (count - 1));
            }
            Matcher id = HTML_ID.matcher(line);
            while (id.find()) {
                anchors.add(id.group(1));
            }
        }
        return anchors;
    }

    /**
     * GitHub's heading anchor: the rendered text (links and code reduced to their text) in lower case, with every
     * character but letters, digits, spaces, hyphens and underscores dropped, and spaces turned into hyphens.
     */
    static String slug(String heading) {
        String text = LINK.matcher(heading).replaceAll("$1").replaceAll("<[^>]+>", "").replace("`", "")
                .replace("*", "");
        return text.toLowerCase(Locale.ROOT).replaceAll("[^\\p{L}\\p{N} _-]", "").replace(' ', '-');
    }

    /** Every link target written in the prose (code blocks and code spans excluded). */
    static List<Located> links(Path file) {
        List<Located> links = new ArrayList<>();
        List<String> prose = prose(file);
        for (int i = 0; i < prose.size(); i++) {
            String line = prose.get(i);
            if (line == null) {
                continue;
            }
            Matcher link = LINK.matcher(CODE_SPAN.matcher(line).replaceAll("``"));
            while (link.find()) {
                links.add(new Located(file, i + 1, link.group(2)));
            }
        }
        return links;
    }

    /**
     * The commands of the file's bash blocks, one per logical line: continuation lines joined, comment lines and
     * trailing comments dropped.
     */
    static List<Located> shellCommands(Path file) {
        List<Located> commands = new ArrayList<>();
        List<String> lines = lines(file);
        boolean bash = false;
        StringBuilder pending = null;
        int start = 0;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.stripLeading().startsWith("```")) {
                bash = !bash && line.strip().matches("```(bash|sh|shell)");
                continue;
            }
            if (!bash || (pending == null && (line.isBlank() || line.stripLeading().startsWith("#")))) {
                continue;
            }
            if (pending == null) {
                pending = new StringBuilder();
                start = i + 1;
            }
            pending.append(line);
            String code = Shell.stripComment(pending.toString()).stripTrailing();
            if (code.endsWith("\\")) {
                pending.setLength(0);
                pending.append(code, 0, code.length() - 1).append(' ');
            } else if (Shell.openQuote(code)) {
                pending.append('\n'); // a quoted argument that runs over several lines
            } else {
                commands.add(new Located(file, start, code.strip().replaceAll("\\s+", " ")));
                pending = null;
            }
        }
        return commands;
    }

    /** The inline code spans of the prose (table cells included); a span may run over a line break. */
    static List<Located> codeSpans(Path file) {
        List<Located> spans = new ArrayList<>();
        StringBuilder text = new StringBuilder();
        for (String line : prose(file)) {
            text.append(line == null ? "" : line).append('\n');
        }
        Matcher span = CODE_SPAN.matcher(text);
        while (span.find()) {
            int line = (int) text.substring(0, span.start()).chars().filter(c -> c == '\n').count() + 1;
            spans.add(new Located(file, line, span.group(1).replaceAll("\\s+", " ").strip()));
        }
        return spans;
    }
}
