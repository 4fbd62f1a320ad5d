package dev.mistralgateway.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URL;
import java.nio.charset.StandardCharsets;

/** HTTP on a raw socket, as an attacker writes it: whatever bytes, and everything the gateway sends back. */
public final class RawHttp {

    /** What {@link #exchange} appends when the gateway kept the connection open. */
    public static final String STILL_OPEN = "<connection still open";

    private RawHttp() {
    }

    /**
     * Writes {@code request} on a new connection to {@code root}'s host and port and reads everything until the gateway
     * closes it, or {@code seconds} pass without a byte (then {@value #STILL_OPEN} ... is appended).
     */
    public static String exchange(URL root, String request, int seconds) throws IOException {
        try (Socket socket = new Socket(root.getHost(), root.getPort())) {
            socket.setSoTimeout(seconds * 1000);
            OutputStream out = socket.getOutputStream();
            try {
                out.write(request.getBytes(StandardCharsets.UTF_8));
                out.flush();
            } catch (IOException closedWhileWriting) {
                // The gateway may answer and close before the whole request is written (a 413, say).
            }
            ByteArrayOutputStream received = new ByteArrayOutputStream();
            InputStream in = socket.getInputStream();
            byte[] buffer = new byte[8192];
            try {
                for (int read; (read = in.read(buffer)) >= 0;) {
                    received.write(buffer, 0, read);
                }
            } catch (SocketTimeoutException stillOpen) {
                received.writeBytes(("\n" + STILL_OPEN + " after " + seconds + " s>").getBytes(StandardCharsets.UTF_8));
            } catch (IOException reset) {
                // A reset after the answer: what was read is the exchange.
            }
            return received.toString(StandardCharsets.UTF_8);
        }
    }
}
