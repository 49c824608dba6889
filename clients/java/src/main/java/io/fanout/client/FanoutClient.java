package io.fanout.client;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import reactor.core.publisher.Flux;
import reactor.core.publisher.FluxSink;
import reactor.core.publisher.Mono;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * A client of fanout: {@link #subscribe} is a {@link Flux} of events that resumes by itself across disconnects and
 * instances, {@link #publish} a {@link Mono} of Kafka's ack.
 *
 * <pre>{@code
 * FanoutClient client = FanoutClient.builder().urls("ws://127.0.0.1:8081").ingestUrl("http://127.0.0.1:8080").build();
 * client.subscribe(List.of("orders"), SubscribeOptions.last(10)).subscribe(e -> System.out.println(e.message()));
 * }</pre>
 *
 * <p>Thread-safe and cheap to share: one {@link HttpClient} carries every subscription and publish. It owns no
 * thread of its own (the JDK client's executor delivers frames, Reactor's parallel scheduler runs retries), so
 * there is nothing to close.
 */
public final class FanoutClient {

    private final List<URI> urls;
    private final URI ingestUrl;
    private final String token;
    private final Subscription.Settings settings;
    private final Duration publishTimeout;
    private final HttpClient http;
    private final JsonMapper json = JsonMapper.builder().build();
    private final AtomicLong duplicates = new AtomicLong();

    private FanoutClient(Builder builder) {
        this.urls = List.copyOf(builder.urls);
        this.ingestUrl = builder.ingestUrl;
        this.token = builder.token;
        this.settings = new Subscription.Settings(
                urls,
                token,
                new Backoff(builder.minBackoff, builder.maxBackoff),
                builder.connectTimeout,
                builder.pingInterval,
                builder.cursorAheadRetries,
                new Backoff(builder.cursorAheadMin, builder.cursorAheadMax),
                duplicates);
        this.publishTimeout = builder.publishTimeout;
        this.http = builder.httpClient != null
                ? builder.httpClient
                : HttpClient.newBuilder().connectTimeout(builder.connectTimeout).build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * How many events this client's subscriptions dropped as repeats of ones they already emitted (a seq at or below
     * the last of its channel and origin, or an offset below what the connection emitted): a debugging aid.
     */
    public long duplicatesDropped() {
        return duplicates.get();
    }

    /**
     * Follows {@code channels}: each event once, in publish order per channel, from where {@code options} says.
     *
     * <p>After any disconnect (the instance died or went away with 1001, was busy with 1013, found this client too
     * slow with 4000, the network broke) it reconnects after a jittered back-off, to the next URL when the instance
     * is gone, and resumes right after the last event it emitted. It errors with {@link SubscriptionRefusedException}
     * on close 1008/1009 or an HTTP 4xx at the handshake (no retry), and with {@link GapException} on a gap the
     * server reports, or that it finds by a jump in an event's {@link Event#seq() seq}, when no
     * {@link SubscribeOptions#onGap} handler takes it (with one, delivery goes on after it). Otherwise it never completes: cancel
     * it to close the socket. Lazy: each subscriber of the Flux gets a connection of its own.
     */
    public Flux<Event> subscribe(List<String> channels, SubscribeOptions options) {
        if (urls.isEmpty()) {
            throw new IllegalStateException("no fan-out URL: set FanoutClient.builder().urls(...)");
        }
        List<String> channelList = List.copyOf(channels);
        if (channelList.isEmpty()) {
            throw new IllegalArgumentException("give at least one channel");
        }
        Objects.requireNonNull(options, "options");
        return Flux.create(
                sink -> new Subscription(http, json, settings, channelList, options, sink).start(),
                FluxSink.OverflowStrategy.BUFFER);
    }

    /**
     * Publishes {@code message} (any value Jackson writes as JSON: a {@link JsonNode}, a map, a record, a string)
     * to {@code channel} through {@code POST /push}; emits the ack once Kafka has the event, or a
     * {@link PublishException}. With an {@code idempotencyKey} (may be null) a retry within the server's window gets
     * the first ack and writes nothing twice. Lazy: nothing is sent until subscribed, and each subscription sends.
     */
    public Mono<PublishAck> publish(String channel, Object message, String idempotencyKey) {
        if (ingestUrl == null) {
            return Mono.error(new IllegalStateException("no ingest URL: set FanoutClient.builder().ingestUrl(...)"));
        }
        return Mono.defer(() -> {
                    Map<String, Object> body = new LinkedHashMap<>();
                    body.put("channel", channel);
                    body.put("message", message);
                    HttpRequest.Builder request = HttpRequest.newBuilder(
                                    URI.create(ingestUrl.toString().replaceAll("/+$", "") + "/push"))
                            .timeout(publishTimeout)
                            .header("Content-Type", "application/json")
                            .header("Accept", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString(json.writeValueAsString(body)));
                    if (idempotencyKey != null) {
                        request.header("Idempotency-Key", idempotencyKey);
                    }
                    if (token != null) {
                        request.header("Authorization", "Bearer " + token);
                    }
                    return Mono.fromFuture(
                            () -> http.sendAsync(request.build(), HttpResponse.BodyHandlers.ofString()), true);
                })
                .onErrorMap(
                        error -> !(error instanceof FanoutException) && !(error instanceof JacksonException),
                        error -> new PublishException(0, "no answer from " + ingestUrl + ": " + error, null, error))
                .map(this::ack);
    }

    private PublishAck ack(HttpResponse<String> response) {
        if (response.statusCode() != 200) {
            String detail;
            try {
                JsonNode problem = json.readTree(response.body());
                detail = problem.path("detail").isString()
                        ? problem.path("detail").asString()
                        : response.body();
            } catch (JacksonException notJson) {
                detail = response.body();
            }
            Duration retryAfter = response.headers()
                    .firstValue("Retry-After")
                    .flatMap(FanoutClient::seconds)
                    .orElse(null);
            throw new PublishException(response.statusCode(), detail, retryAfter, null);
        }
        JsonNode ack = json.readTree(response.body());
        return new PublishAck(
                ack.path("channel").asString(),
                ack.get("message"),
                ack.path("id").asString(),
                ack.path("partition").asInt(),
                ack.path("offset").asLong(),
                ack.path("timestamp").asLong());
    }

    private static Optional<Duration> seconds(String value) {
        try {
            return Optional.of(Duration.ofMillis((long) (Double.parseDouble(value) * 1000)));
        } catch (NumberFormatException notSeconds) {
            return Optional.empty();
        }
    }

    /** Settings of a {@link FanoutClient}; only {@link #urls} (to subscribe) or {@link #ingestUrl} (to publish) are needed. */
    public static final class Builder {

        private final List<URI> urls = new ArrayList<>();
        private URI ingestUrl;
        private String token;
        private Duration minBackoff = Duration.ofMillis(200);
        private Duration maxBackoff = Duration.ofSeconds(10);
        private Duration connectTimeout = Duration.ofSeconds(10);
        private Duration pingInterval = Duration.ofSeconds(20);
        private Duration publishTimeout = Duration.ofSeconds(30);
        private int cursorAheadRetries = 2;
        private Duration cursorAheadMin = Duration.ofMillis(500);
        private Duration cursorAheadMax = Duration.ofSeconds(5);
        private HttpClient httpClient;

        private Builder() {}

        /**
         * Fan-out instances or regions ({@code ws://host:8081}, {@code http://host:8081} or full {@code .../events}
         * URLs) to fail over between; a subscription resumes on the next one by its cursor.
         */
        public Builder urls(String... urls) {
            return urls(List.of(urls));
        }

        public Builder urls(List<String> urls) {
            for (String url : urls) {
                URI uri = URI.create(url);
                EventsUri.of(uri, List.of(), Map.of()); // refuse what is not a fan-out URL now, not at connect
                this.urls.add(uri);
            }
            return this;
        }

        /** The ingest-service ({@code http://host:8080}) that {@link FanoutClient#publish} posts to. */
        public Builder ingestUrl(String url) {
            this.ingestUrl = URI.create(url);
            return this;
        }

        /** A JWT, sent as {@code Authorization: Bearer} on every connection and publish. */
        public Builder token(String token) {
            this.token = token;
            return this;
        }

        /** Reconnect back-off: a random wait up to {@code min * 2^failures}, at most {@code max} (200 ms, 10 s). */
        public Builder backoff(Duration min, Duration max) {
            this.minBackoff = min;
            this.maxBackoff = max;
            return this;
        }

        /**
         * After a close 4001 (the resume cursor's event has not reached that region yet) the same URL is tried again
         * {@code retries} times, each after a random wait up to {@code min * 2^attempt} (at most {@code max}), then
         * the next URL (2, 500 ms, 5 s). With one URL it keeps waiting there.
         */
        public Builder cursorAhead(int retries, Duration min, Duration max) {
            if (retries < 0) {
                throw new IllegalArgumentException("retries must not be negative");
            }
            new Backoff(min, max);
            this.cursorAheadRetries = retries;
            this.cursorAheadMin = min;
            this.cursorAheadMax = max;
            return this;
        }

        public Builder connectTimeout(Duration timeout) {
            this.connectTimeout = timeout;
            return this;
        }

        /**
         * How often an open subscription pings its server (20 s); one that answers nothing for twice this long is
         * taken for dead and the subscription resumes elsewhere. {@link Duration#ZERO} turns it off.
         */
        public Builder pingInterval(Duration interval) {
            if (interval.isNegative()) {
                throw new IllegalArgumentException("pingInterval must not be negative");
            }
            this.pingInterval = interval;
            return this;
        }

        public Builder publishTimeout(Duration timeout) {
            this.publishTimeout = timeout;
            return this;
        }

        /** An {@link HttpClient} of your own (proxy, TLS settings, executor) instead of a default one. */
        public Builder httpClient(HttpClient client) {
            this.httpClient = client;
            return this;
        }

        public FanoutClient build() {
            return new FanoutClient(this);
        }
    }
}
