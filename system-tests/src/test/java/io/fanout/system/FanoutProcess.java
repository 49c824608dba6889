package io.fanout.system;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.awaitility.core.ConditionTimeoutException;

/** A fanout-service instance in a JVM of its own, started from the test classpath; {@link #kill()} is SIGKILL. */
final class FanoutProcess implements AutoCloseable {

    private final Process process;
    private final int port;
    private final List<String> args;
    private final Path log;

    private FanoutProcess(Process process, int port, List<String> args, Path log) {
        this.process = process;
        this.port = port;
        this.args = args;
        this.log = log;
    }

    static FanoutProcess start(List<String> args) throws Exception {
        FanoutProcess started = launch(args);
        started.awaitHealthy(Duration.ofSeconds(90), started.log);
        return started;
    }

    /** Starts the instance and returns at once, before it listens: {@link #events} may refuse for a while. */
    static FanoutProcess launch(List<String> args) throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        return launch(args, port);
    }

    /** Another instance with the same settings on the same port, once this one is gone (after {@link #kill()}). */
    FanoutProcess restart() throws Exception {
        if (process.isAlive()) {
            throw new IllegalStateException("kill it first");
        }
        FanoutProcess started = launch(args, port);
        started.awaitHealthy(Duration.ofSeconds(90), started.log);
        return started;
    }

    private static FanoutProcess launch(List<String> args, int port) throws Exception {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m",
                "-cp",
                System.getProperty("java.class.path"),
                "io.fanout.service.FanoutApplication"));
        args.stream().filter(a -> !a.startsWith("--server.port=")).forEach(command::add);
        command.add("--server.port=" + port);
        Path log = Files.createTempFile("fanout-second-", ".log");
        Process process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        return new FanoutProcess(process, port, List.copyOf(args), log);
    }

    private void awaitHealthy(Duration timeout, Path log) throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        try {
            await().atMost(timeout)
                    .pollInterval(Duration.ofMillis(250))
                    .ignoreExceptionsInstanceOf(IOException.class) // not listening yet
                    .until(() -> {
                        if (!process.isAlive()) {
                            throw new IllegalStateException("second fanout-service exited: " + Files.readString(log));
                        }
                        return http.send(
                                                HttpRequest.newBuilder(URI.create(
                                                                "http://127.0.0.1:" + port + "/actuator/health"))
                                                        .build(),
                                                HttpResponse.BodyHandlers.ofString())
                                        .statusCode()
                                == 200;
                    });
        } catch (ConditionTimeoutException notHealthy) {
            process.destroyForcibly();
            throw new IllegalStateException(
                    "second fanout-service not healthy within " + timeout + ": " + Files.readString(log));
        }
    }

    String url() {
        return "ws://127.0.0.1:" + port;
    }

    int port() {
        return port;
    }

    URI events(String query) {
        return URI.create("ws://127.0.0.1:" + port + "/events" + (query.isEmpty() ? "" : "?" + query));
    }

    /** SIGKILL: no shutdown hooks, no close frames. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    @Override
    public void close() throws InterruptedException {
        kill();
    }
}
