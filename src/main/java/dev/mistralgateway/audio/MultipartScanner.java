package dev.mistralgateway.audio;

import java.nio.charset.StandardCharsets;
import java.util.Locale;

import dev.mistralgateway.api.ApiException;
import io.vertx.core.buffer.Buffer;

/**
 * Reads a {@code multipart/form-data} body (RFC 7578, with RFC 2046's delimiters) as it arrives, chunk by chunk,
 * without keeping it: it finds each part, reads the part's name and file name, hands over the part's content bytes,
 * and says where in the body each part's content starts and ends. So the upload can be relayed to Mistral byte for
 * byte, boundary and all, while the gateway reads only what it needs (the small fields) and counts the rest.
 */
final class MultipartScanner {

    /** Told what the scanner finds, in body order. */
    interface Listener {

        /** A part's headers were read: its content starts at body offset {@code contentStart}. */
        void partStarted(String name, String fileName, long contentStart);

        /** Content bytes of the current part, {@code from} inclusive to {@code to} exclusive. */
        void partData(byte[] bytes, int from, int to);

        /** The current part's content ended at body offset {@code contentEnd}, where its delimiter starts. */
        void partEnded(long contentEnd);
    }

    /** Most bytes of one part's headers: a part with more is not one a form sends. */
    static final int MAX_HEADER_BYTES = 8 * 1024;

    private enum State { PREAMBLE, AFTER_DELIMITER, HEADERS, CONTENT, EPILOGUE }

    private final byte[] delimiter;
    private final Listener listener;
    private final StringBuilder headers = new StringBuilder();
    private State state = State.PREAMBLE;
    /** Bytes of the delimiter matched so far; the body is read as if it began with CRLF (RFC 2046 §5.1.1). */
    private int matched = 2;
    /** Of those, how many came in earlier chunks (never handed over as content). */
    private int carried = 2;
    /** The first byte after a delimiter, until the second says whether a part or the end follows. */
    private int afterDelimiter = -1;
    /** Body offset of the current chunk's first byte. */
    private long offset;

    MultipartScanner(String boundary, Listener listener) {
        this.delimiter = ("\r\n--" + boundary).getBytes(StandardCharsets.ISO_8859_1);
        this.listener = listener;
    }

    /** Whether the closing delimiter was read: the form is whole. */
    boolean complete() {
        return state == State.EPILOGUE;
    }

    /** Reads the next chunk of the body; a body that is not a form fails with 400. */
    void feed(Buffer chunk) {
        byte[] bytes = chunk.getBytes();
        int dataStart = 0;
        for (int i = 0; i < bytes.length; i++) {
            byte b = bytes[i];
            switch (state) {
                case PREAMBLE, CONTENT -> {
                    if (b == delimiter[matched]) {
                        matched++;
                        if (matched == delimiter.length) {
                            int start = i + 1 - (matched - carried);
                            if (state == State.CONTENT) {
                                if (start > dataStart) {
                                    listener.partData(bytes, dataStart, start);
                                }
                                listener.partEnded(offset + i + 1 - delimiter.length);
                            }
                            state = State.AFTER_DELIMITER;
                            matched = 0;
                            carried = 0;
                        }
                    } else {
                        if (carried > 0) {
                            // A delimiter's beginning at the end of the last chunk was content after all.
                            if (state == State.CONTENT) {
                                listener.partData(delimiter, 0, carried);
                            }
                            carried = 0;
                        }
                        matched = b == delimiter[0] ? 1 : 0;
                    }
                }
                case AFTER_DELIMITER -> {
                    if (afterDelimiter < 0 && (b == ' ' || b == '\t')) {
                        continue;
                    }
                    if (afterDelimiter < 0) {
                        afterDelimiter = b;
                    } else if (afterDelimiter == '-' && b == '-') {
                        state = State.EPILOGUE;
                    } else if (afterDelimiter == '\r' && b == '\n') {
                        state = State.HEADERS;
                        headers.setLength(0);
                        afterDelimiter = -1;
                    } else {
                        throw malformed("a boundary is followed by neither a part nor the end of the form");
                    }
                }
                case HEADERS -> {
                    headers.append((char) (b & 0xff));
                    if (headers.length() > MAX_HEADER_BYTES) {
                        throw malformed("a part's headers are longer than " + MAX_HEADER_BYTES + " bytes");
                    }
                    if (headersEnded()) {
                        startPart(offset + i + 1);
                        state = State.CONTENT;
                        dataStart = i + 1;
                        matched = 0;
                        carried = 0;
                    }
                }
                case EPILOGUE -> {
                    // After the closing delimiter: nothing a form carries.
                }
            }
        }
        if (state == State.CONTENT || state == State.PREAMBLE) {
            int pending = matched - carried;
            if (state == State.CONTENT && bytes.length - pending > dataStart) {
                listener.partData(bytes, dataStart, bytes.length - pending);
            }
            carried = matched;
        }
        offset += bytes.length;
    }

    /** An empty line ends a part's headers (or is the whole of them). */
    private boolean headersEnded() {
        int length = headers.length();
        if (length < 2 || headers.charAt(length - 2) != '\r' || headers.charAt(length - 1) != '\n') {
            return false;
        }
        return length == 2 || length >= 4 && headers.charAt(length - 4) == '\r' && headers.charAt(length - 3) == '\n';
    }

    private void startPart(long contentStart) {
        String name = null;
        String fileName = null;
        String text = new String(headers.toString().getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8);
        for (String line : text.split("\r\n")) {
            int colon = line.indexOf(':');
            if (colon < 0 || !line.substring(0, colon).strip().equalsIgnoreCase("Content-Disposition")) {
                continue;
            }
            for (String parameter : line.substring(colon + 1).split(";")) {
                int equals = parameter.indexOf('=');
                if (equals < 0) {
                    continue;
                }
                String key = parameter.substring(0, equals).strip().toLowerCase(Locale.ROOT);
                String value = unquote(parameter.substring(equals + 1).strip());
                if (key.equals("name")) {
                    name = value;
                } else if (key.equals("filename")) {
                    fileName = value;
                }
            }
        }
        if (name == null) {
            throw malformed("a part has no Content-Disposition name");
        }
        listener.partStarted(name, fileName, contentStart);
    }

    private static String unquote(String value) {
        if (value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
            return value.substring(1, value.length() - 1).replace("\\\"", "\"").replace("\\\\", "\\");
        }
        return value;
    }

    static ApiException malformed(String problem) {
        return ApiException.invalid("The body is not a multipart/form-data form: " + problem);
    }
}
