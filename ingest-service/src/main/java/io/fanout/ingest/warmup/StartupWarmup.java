package io.fanout.ingest.warmup;

import io.fanout.common.publish.EventPublisher;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.core.env.Environment;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.ByteBufFlux;
import reactor.netty.http.client.HttpClient;
import reactor.netty.resources.ConnectionProvider;

/**
 * Warms the publish path before the service reports ready. A fresh JVM serves {@code POST /push} several times
 * slower until the JIT has compiled it (bench/RESULTS.md, issue 13: a third of the steady rate over the first minute
 * of load), and a deploy or a fail-over sends it its share of the traffic at once. So, after the HTTP server is up and
 * before Spring Boot marks the application ready (this runner finishes first; {@code /actuator/health} answers 503
 * {@code OUT_OF_SERVICE} until then), it sends itself {@code fanout.warmup.requests} {@code POST /push} requests over
 * loopback, through the same route, body reader, parser and {@link EventPublisher} code as any client's, each marked
 * as a {@link Rehearsal} so that it is published by a publisher of its own to the warm-up topic ({@link
 * RehearsalSink}; Kafka's producer client and the broker's produce path are compiled on it too): nothing reaches the
 * events topic, no metric of the real publisher counts it, and the token check is skipped (the process's secret
 * stands for it). Then it waits, up to {@code fanout.warmup.settle}, for the JIT compiler to go quiet.
 */
class StartupWarmup implements ApplicationRunner {

    private static final Logger log = LoggerFactory.getLogger(StartupWarmup.class);
    private static final int CHANNELS = 16;

    private final WarmupProperties properties;
    private final Rehearsal rehearsal;
    private final Environment environment;
    private final Supplier<RehearsalSink> sinks;
    private final MeterRegistry meters;
    private volatile WarmupOutcome outcome;

    /** @param meters the application's registry: the rehearsal's publisher counts in one of its kind, not in it */
    StartupWarmup(
            WarmupProperties properties,
            Rehearsal rehearsal,
            Environment environment,
            Supplier<RehearsalSink> sinks,
            MeterRegistry meters) {
        this.properties = properties;
        this.rehearsal = rehearsal;
        this.environment = environment;
        this.sinks = sinks;
        this.meters = meters;
    }

    @Override
    public void run(ApplicationArguments args) {
        Integer port = environment.getProperty("local.server.port", Integer.class);
        if (port == null || port <= 0) {
            log.warn("warm-up skipped: no local HTTP port");
            outcome = new WarmupOutcome(Map.of(), 0, 0, null);
            return;
        }
        long started = System.nanoTime();
        Map<Integer, Long> answers;
        String topic;
        try (RehearsalSink sink = sinks.get()) {
            topic = sink.topic();
            answers = rehearse(port, sink);
        }
        double requestSeconds = (System.nanoTime() - started) / 1e9;
        double settleSeconds = settle();
        WarmupOutcome done = new WarmupOutcome(answers, requestSeconds, settleSeconds, topic);
        log.info(
                "warm-up: {} rehearsal POST /push in {} s (answers by status {}), JIT quiet {} s later; written to {}",
                done.requests(),
                String.format("%.1f", requestSeconds),
                answers,
                String.format("%.1f", settleSeconds),
                topic == null ? "nothing" : "the warm-up topic " + topic + ", nothing to the events topic");
        outcome = done;
    }

    /** What the warm-up did, or {@code null} while it has not finished. */
    WarmupOutcome outcome() {
        return outcome;
    }

    /** Sends the rehearsal requests, published to {@code sink}; returns how many got each status (-1: no answer). */
    Map<Integer, Long> rehearse(int port, RehearsalSink sink) {
        Map<Integer, Long> answers = new ConcurrentSkipListMap<>();
        ConnectionProvider connections = ConnectionProvider.builder("fanout-warmup")
                .maxConnections(properties.connections())
                .pendingAcquireMaxCount(-1)
                .build();
        // never closed: a rehearsal request still on its way when the rehearsal ends goes to it too (Rehearsal) and is
        // refused there, its producer closed; its threads end once idle
        EventPublisher publisher = new EventPublisher(
                sink.producer(),
                sink.publishTopic(),
                properties.requests(),
                registryLike(meters),
                null,
                Duration.ofSeconds(10),
                sink.buffer());
        long deadline = System.nanoTime() + properties.maxDuration().toNanos();
        try {
            String secret = rehearsal.open(publisher);
            HttpClient client = HttpClient.create(connections)
                    .host("127.0.0.1")
                    .port(port)
                    .headers(h -> h.set(Rehearsal.HEADER, secret)
                            .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON));
            // no new request after maxDuration; those already sent are answered before the rehearsal ends
            Flux.range(0, properties.requests())
                    .takeWhile(i -> System.nanoTime() < deadline)
                    .flatMap(
                            i -> client.post()
                                    .uri("/push")
                                    .send(ByteBufFlux.fromString(Mono.just(body(i))))
                                    .responseSingle((response, content) ->
                                            Mono.just(response.status().code()))
                                    .onErrorReturn(-1),
                            properties.connections())
                    .doOnNext(status -> answers.merge(status, 1L, Long::sum))
                    .blockLast(properties.maxDuration().plusSeconds(10));
        } catch (RuntimeException e) {
            log.warn("warm-up cut short: {}", e.toString());
        } finally {
            connections.disposeLater().block(Duration.ofSeconds(5));
        }
        return answers;
    }

    /**
     * A registry of {@code real}'s kind, which nothing exports: the rehearsal's counters are of the classes the real
     * publisher's are, so the code counting them is not compiled again at the first real publish.
     */
    static MeterRegistry registryLike(MeterRegistry real) {
        return real instanceof PrometheusMeterRegistry
                ? new PrometheusMeterRegistry(PrometheusConfig.DEFAULT)
                : new SimpleMeterRegistry();
    }

    /**
     * The {@code i}th rehearsal's body. Channel names of every length modulo 4 and each kind of character a name may
     * hold, and messages of each JSON kind a client sends (a string, one with escapes, an object with numbers and
     * spaces, an array), so that the JIT compiles the branches real publishes take rather than pruning them and
     * compiling again at the first real one.
     */
    static String body(int i) {
        String channel = "warmup" + "-._:".charAt(i % 4) + "xYz".substring(0, i / 4 % 4) + (i % CHANNELS);
        String message = switch (i % 4) {
            case 0 ->
                "\"rehearsal " + i + ": a message about as long as a typical event, so the JIT sees typical sizes\"";
            case 1 ->
                "{\"n\": " + i + ", \"text\": \"an object with a number, spaces and a \\\"quote\\\"\", \"ok\": true}";
            case 2 -> "\"rehearsal " + i + " with an escaped \\\"quote\\\" and a \\u00e9 in it\"";
            default -> "[" + i + ", 2.5, \"three\", null, {\"k\": [1, 2]}]";
        };
        return "{\"channel\":\"" + channel + "\",\"message\":" + message + "}";
    }

    /**
     * Waits until the JIT compiler spends under a tenth of its time compiling over half a second, or for
     * {@code fanout.warmup.settle}; returns the seconds waited.
     */
    private double settle() {
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        long started = System.nanoTime();
        if (jit == null || !jit.isCompilationTimeMonitoringSupported()) {
            return 0;
        }
        long deadline = started + properties.settle().toNanos();
        long compiled = jit.getTotalCompilationTime();
        while (System.nanoTime() < deadline) {
            try {
                Thread.sleep(500);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            long now = jit.getTotalCompilationTime();
            if (now - compiled < 50) {
                break;
            }
            compiled = now;
        }
        return (System.nanoTime() - started) / 1e9;
    }
}
