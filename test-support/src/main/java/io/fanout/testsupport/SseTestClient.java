package io.fanout.testsupport;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * An SSE client on a plain socket that reads only when asked: nothing is taken off the connection between two calls,
 * and the socket's receive buffer is as small as the caller sets, so a test can make the server's stream fall behind
 * for certain (an HTTP client library reads ahead into buffers of its own). Speaks just enough HTTP/1.1: one GET, the
 * status line and headers, a chunked or plain body.
 */
public final class SseTestClient implements AutoCloseable {

    /** One SSE event: its {@code event} name ({@code message} when none was given), {@code id} and {@code data}. */
    public record Event(String event, String id, String data) {}

    private final Socket socket;
    private final InputStream body;

    private SseTestClient(Socket socket, InputStream body) {
        this.socket = socket;
        this.body = body;
    }

    /**
     * Opens {@code uri} (an {@code http://} URL) with a receive buffer of about {@code receiveBufferBytes} and reads the
     * response head.
     *
     * @throws IOException when the answer is not {@code 200}, with the status line in the message
     */
    public static SseTestClient connect(URI uri, int receiveBufferBytes) throws IOException {
        Socket socket = new Socket();
        socket.setReceiveBufferSize(receiveBufferBytes); // before connect, so the TCP window starts small
        socket.connect(new InetSocketAddress(uri.getHost(), uri.getPort()), 10_000);
        socket.setSoTimeout(60_000);
        String target = uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
        OutputStream out = socket.getOutputStream();
        out.write(("GET " + target + " HTTP/1.1\r\nHost: " + uri.getHost() + ":" + uri.getPort()
                        + "\r\nAccept: text/event-stream\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.flush();
        InputStream in = new BufferedInputStream(socket.getInputStream(), 1024);
        String status = readLine(in);
        if (status == null || !status.startsWith("HTTP/1.1 200")) {
            socket.close();
            throw new IOException("SSE request answered " + status);
        }
        boolean chunked = false;
        for (String header = readLine(in); header != null && !header.isEmpty(); header = readLine(in)) {
            String lower = header.toLowerCase(Locale.ROOT);
            chunked |= lower.startsWith("transfer-encoding:") && lower.contains("chunked");
        }
        return new SseTestClient(socket, chunked ? new ChunkedBody(in) : in);
    }

    /** The next line of the stream without its line end, or {@code null} at its end. */
    public String readLine() throws IOException {
        return readLine(body);
    }

    /**
     * The next event, comments skipped; {@code null} at the end of the stream.
     */
    public Event next() throws IOException {
        String event = null;
        String id = null;
        StringBuilder data = null;
        for (String line = readLine(); line != null; line = readLine()) {
            if (line.isEmpty()) {
                if (data != null) {
                    return new Event(event == null ? "message" : event, id, data.toString());
                }
                event = null;
                id = null;
            } else if (line.startsWith("event:")) {
                event = field(line, 6);
            } else if (line.startsWith("id:")) {
                id = field(line, 3);
            } else if (line.startsWith("data:")) {
                data = data == null ? new StringBuilder() : data.append('\n');
                data.append(field(line, 5));
            }
        }
        return null;
    }

    private static String field(String line, int colon) {
        return line.startsWith(" ", colon) ? line.substring(colon + 1) : line.substring(colon);
    }

    private static String readLine(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream(128);
        int b;
        while ((b = in.read()) >= 0 && b != '\n') {
            line.write(b);
        }
        if (b < 0 && line.size() == 0) {
            return null;
        }
        String text = line.toString(StandardCharsets.UTF_8);
        return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    /** An HTTP/1.1 chunked body as the bytes it carries. */
    private static final class ChunkedBody extends InputStream {

        private final InputStream in;
        private long left;
        private boolean ended;

        ChunkedBody(InputStream in) {
            this.in = in;
        }

        @Override
        public int read() throws IOException {
            if (!nextChunk()) {
                return -1;
            }
            int b = in.read();
            if (b < 0) {
                throw new EOFException("connection closed inside a chunk");
            }
            left--;
            return b;
        }

        @Override
        public int read(byte[] into, int offset, int length) throws IOException {
            if (length == 0) {
                return 0;
            }
            if (!nextChunk()) {
                return -1;
            }
            int read = in.read(into, offset, (int) Math.min(length, left));
            if (read < 0) {
                throw new EOFException("connection closed inside a chunk");
            }
            left -= read;
            return read;
        }

        /** Whether bytes are left, reading the next chunk's size line when the current one is used up. */
        private boolean nextChunk() throws IOException {
            while (left == 0 && !ended) {
                String size = readLine(in);
                if (size == null) {
                    ended = true;
                    break;
                }
                if (size.isEmpty()) {
                    continue; // the line end after a chunk's bytes
                }
                int extension = size.indexOf(';');
                left = Long.parseLong(
                        extension < 0
                                ? size.trim()
                                : size.substring(0, extension).trim(),
                        16);
                ended = left == 0;
            }
            return left > 0;
        }
    }
}
