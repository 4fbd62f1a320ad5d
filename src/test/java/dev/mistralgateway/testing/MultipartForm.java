package dev.mistralgateway.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * A {@code multipart/form-data} body built part by part, in the order a test wants (the gateway treats a form whose
 * model comes first differently from one whose file does), and a raw HTTP/1.1 client for uploads that a test sends
 * piece by piece or that the gateway refuses before reading them.
 */
public final class MultipartForm {

    public static final String BOUNDARY = "----gateway-test-boundary-7MA4YWxkTrZu0gW";

    private final ByteArrayOutputStream body = new ByteArrayOutputStream();

    public static MultipartForm form() {
        return new MultipartForm();
    }

    public MultipartForm field(String name, String value) {
        write("--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"" + name + "\"\r\n\r\n" + value + "\r\n");
        return this;
    }

    public MultipartForm file(String name, String fileName, byte[] content) {
        write(fileHeader(name, fileName));
        body.writeBytes(content);
        write("\r\n");
        return this;
    }

    /** The headers that open a file part; its content and CRLF follow. */
    public static String fileHeader(String name, String fileName) {
        return "--" + BOUNDARY + "\r\nContent-Disposition: form-data; name=\"" + name + "\"; filename=\"" + fileName
                + "\"\r\nContent-Type: audio/wav\r\n\r\n";
    }

    /** The closing delimiter. */
    public static String end() {
        return "--" + BOUNDARY + "--\r\n";
    }

    public byte[] bytes() {
        ByteArrayOutputStream whole = new ByteArrayOutputStream();
        whole.writeBytes(body.toByteArray());
        whole.writeBytes(end().getBytes(StandardCharsets.ISO_8859_1));
        return whole.toByteArray();
    }

    public static String contentType() {
        return "multipart/form-data; boundary=" + BOUNDARY;
    }

    /** Bytes of audio: a repeating pattern, so what arrives can be told from what was sent. */
    public static byte[] audio(int length) {
        byte[] audio = new byte[length];
        for (int i = 0; i < length; i++) {
            audio[i] = (byte) (i * 31 + 7);
        }
        return audio;
    }

    private void write(String text) {
        body.writeBytes(text.getBytes(StandardCharsets.UTF_8));
    }

    /** An upload on a raw connection: its head is sent at once, its body as the test writes it. */
    public static final class RawUpload implements AutoCloseable {

        private final Socket socket;
        private final OutputStream out;
        private final boolean chunked;

        /** {@code contentLength} -1 sends the body chunked. */
        public RawUpload(URL endpoint, long contentLength, String... headers) throws IOException {
            socket = new Socket(endpoint.getHost(), endpoint.getPort());
            socket.setSoTimeout((int) Duration.ofSeconds(20).toMillis());
            out = socket.getOutputStream();
            chunked = contentLength < 0;
            StringBuilder head = new StringBuilder("POST " + endpoint.getPath() + " HTTP/1.1\r\nHost: "
                    + endpoint.getHost() + "\r\nContent-Type: " + contentType() + "\r\n");
            head.append(chunked ? "Transfer-Encoding: chunked\r\n" : "Content-Length: " + contentLength + "\r\n");
            for (String header : headers) {
                head.append(header).append("\r\n");
            }
            out.write(head.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
        }

        /** Sends {@code bytes} of the body; false when the gateway no longer takes them (it answered and closed). */
        public boolean send(byte[] bytes) {
            try {
                if (chunked) {
                    out.write((Integer.toHexString(bytes.length) + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
                }
                out.write(bytes);
                if (chunked) {
                    out.write("\r\n".getBytes(StandardCharsets.ISO_8859_1));
                }
                out.flush();
                return true;
            } catch (IOException e) {
                return false;
            }
        }

        public boolean send(String text) {
            return send(text.getBytes(StandardCharsets.UTF_8));
        }

        /** Ends a chunked body. */
        public boolean finish() {
            return !chunked || send(new byte[0]);
        }

        /** An interim response ({@code 100 Continue}): its head, read up to its empty line. */
        public String interimResponse() throws IOException {
            InputStream in = socket.getInputStream();
            StringBuilder head = new StringBuilder();
            while (!head.toString().endsWith("\r\n\r\n")) {
                int read = in.read();
                if (read < 0) {
                    break;
                }
                head.append((char) read);
            }
            return head.toString();
        }

        /** The response, as text (status line, headers, body), read until the gateway closes or has sent it all. */
        public String response() throws IOException {
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream response = new ByteArrayOutputStream();
            byte[] buffer = new byte[8192];
            try {
                for (int read; (read = in.read(buffer)) > 0;) {
                    response.write(buffer, 0, read);
                    String text = response.toString(StandardCharsets.UTF_8);
                    int headEnd = text.indexOf("\r\n\r\n");
                    String length = headEnd < 0 ? null
                            : text.substring(0, headEnd).toLowerCase(java.util.Locale.ROOT).replaceAll("(?s).*content-length: *(\\d+).*", "$1");
                    if (length != null && length.matches("\\d+") && text.length() - headEnd - 4 >= Integer.parseInt(length)) {
                        break;
                    }
                }
            } catch (IOException e) {
                if (response.size() == 0) {
                    throw e;
                }
            }
            return response.toString(StandardCharsets.UTF_8);
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }
}
