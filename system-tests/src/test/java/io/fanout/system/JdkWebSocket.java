package io.fanout.system;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The JDK's WebSocket client, for tests that need the JDK's own client (its handling of close codes and of long
 * messages); WsTestClient also reports a server close while it reads.
 */
final class JdkWebSocket implements AutoCloseable {

    final CompletableFuture<String> closed = new CompletableFuture<>();
    final LinkedBlockingQueue<String> frames = new LinkedBlockingQueue<>();
    private final WebSocket socket;

    private JdkWebSocket(URI uri) throws Exception {
        socket = HttpClient.newHttpClient()
                .newWebSocketBuilder()
                .buildAsync(uri, new WebSocket.Listener() {
                    private final StringBuilder text = new StringBuilder();

                    @Override
                    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                        text.append(data);
                        if (last) {
                            String frame = text.toString();
                            if (!frame.startsWith("{\"type\":\"subscribed\"")
                                    && !frame.startsWith("{\"type\":\"live\"")
                                    && !frame.startsWith("{\"type\":\"catching-up\"")) {
                                frames.add(frame); // the stream's control frames are not what these tests count
                            }
                            text.setLength(0);
                        }
                        webSocket.request(1);
                        return null;
                    }

                    @Override
                    public CompletionStage<?> onClose(WebSocket webSocket, int code, String reason) {
                        closed.complete(code + " " + reason);
                        return null;
                    }

                    @Override
                    public void onError(WebSocket webSocket, Throwable error) {
                        closed.complete("error " + error);
                    }
                })
                .get(10, TimeUnit.SECONDS);
    }

    static JdkWebSocket open(URI uri) throws Exception {
        return new JdkWebSocket(uri);
    }

    void send(String text) {
        socket.sendText(text, true).join();
    }

    /** "code reason" of the close the server sent, waiting at most {@code timeout}. */
    String awaitClose(Duration timeout) throws Exception {
        return closed.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Closes with 1000, as a well-behaved client does. */
    void closeNormally() {
        socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").join();
    }

    @Override
    public void close() {
        socket.abort();
    }
}
