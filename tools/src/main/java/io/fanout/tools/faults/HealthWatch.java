package io.fanout.tools.faults;

import io.fanout.tools.net.RawHttp;
import io.netty.channel.EventLoopGroup;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Polls a service's {@code /actuator/health} (and the largest server-side {@code POST /push} duration from
 * {@code /actuator/prometheus}: {@code fanout.push.requests}, or WebFlux's {@code http.server.requests}) about four times a second on a daemon thread of its own, until {@link #stop}.
 * Readers on other threads see the samples through synchronized lists.
 */
final class HealthWatch {

    private static final Pattern PUSH_MAX = Pattern.compile(
            "(?:http_server_requests|fanout_push_requests)_seconds_max\\{[^}]*uri=\"/push\"[^}]*} ([0-9.eE+-]+)");

    private record Sample(long at, int status) {}

    private record PushMax(long at, double seconds) {}

    private final RawHttp http;
    private final List<Sample> samples = Collections.synchronizedList(new ArrayList<>());
    private final List<PushMax> pushMax = Collections.synchronizedList(new ArrayList<>());
    private final AtomicInteger downWithDownBody = new AtomicInteger();
    private volatile boolean running = true;

    HealthWatch(EventLoopGroup loops, int port) {
        this.http = new RawHttp(loops, "http://127.0.0.1:" + port, 2, Duration.ofSeconds(10));
        Thread t = new Thread(this::loop, "health-" + port);
        t.setDaemon(true);
        t.start();
    }

    private void loop() {
        try {
            while (running) {
                long start = System.nanoTime();
                RawHttp.Resp health = fetch("/actuator/health");
                if (health.status() == 503 && new String(health.body(), StandardCharsets.UTF_8).contains("\"DOWN\"")) {
                    downWithDownBody.incrementAndGet();
                }
                samples.add(new Sample(System.nanoTime(), health.status()));
                RawHttp.Resp metrics = fetch("/actuator/prometheus");
                if (metrics.ok()) {
                    Matcher x = PUSH_MAX.matcher(new String(metrics.body(), StandardCharsets.UTF_8));
                    double max = 0;
                    while (x.find()) {
                        max = Math.max(max, Double.parseDouble(x.group(1)));
                    }
                    pushMax.add(new PushMax(System.nanoTime(), max));
                }
                TimeUnit.MILLISECONDS.sleep(Math.max(0, 250 - (System.nanoTime() - start) / 1_000_000));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The answer, or a failed one (status 0) when there was none in time. */
    private RawHttp.Resp fetch(String path) throws InterruptedException {
        try {
            return http.get(path).get(11, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            return RawHttp.Resp.failed(e.toString());
        }
    }

    void stop() {
        running = false;
    }

    /** Seconds from {@code since} to the first sample with {@code status}, or -1. */
    double firstAfter(long since, int status) {
        synchronized (samples) {
            for (Sample s : samples) {
                if (s.at() >= since && s.status() == status) {
                    return (s.at() - since) / 1e9;
                }
            }
        }
        return -1;
    }

    /** Largest server-side duration of a POST /push (seconds) reported between two times. */
    double serverPushMax(long from, long to) {
        double max = 0;
        synchronized (pushMax) {
            for (PushMax s : pushMax) {
                if (s.at() >= from && s.at() <= to) {
                    max = Math.max(max, s.seconds());
                }
            }
        }
        return max;
    }

    int lastStatus() {
        synchronized (samples) {
            return samples.isEmpty() ? -1 : samples.get(samples.size() - 1).status();
        }
    }

    /** Health answers that were 503 with a body saying DOWN. */
    int downWithDownBody() {
        return downWithDownBody.get();
    }
}
