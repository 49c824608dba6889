package io.fanout.ingest.directory;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.kafka.streams.KeyQueryMetadata;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.state.HostInfo;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.reactive.function.client.WebClient;
import org.springframework.web.util.UriBuilder;
import org.springframework.web.util.UriComponentsBuilder;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Answers directory queries for any channel from any instance: a channel's state lives on the instance
 * that owns its partition (Streams metadata says which); this instance answers from its own stores when
 * it is the owner and forwards the HTTP request to the owner otherwise. A listing asks every instance
 * that owns some of the directory and merges their sorted answers.
 *
 * <p>Forwarded requests carry {@value #FORWARDED_HEADER}; an instance that gets one answers from its own
 * state only and never forwards again, so ownership moving mid-request ends in a 503, not a loop.
 *
 * <p>Local reads run on the caller's thread (RocksDB reads of a few keys, no network); forwarding is
 * non-blocking through {@link WebClient}.
 */
final class ChannelDirectory {

    static final String FORWARDED_HEADER = "Fanout-Directory-Forwarded";

    private static final Logger log = LoggerFactory.getLogger(ChannelDirectory.class);

    private final DirectoryStreams streams;
    private final WebClient web;
    private final Duration forwardTimeout;
    private final Clock clock;

    ChannelDirectory(DirectoryStreams streams, WebClient web, Duration forwardTimeout, Clock clock) {
        this.streams = streams;
        this.web = web;
        this.forwardTimeout = forwardTimeout;
        this.clock = clock;
    }

    /** The channel; fails with {@link UnknownChannelException} or {@link DirectoryUnavailableException}. */
    Mono<ChannelInfo> channel(String name, boolean forwarded) {
        return Mono.defer(() -> {
            KeyQueryMetadata owner = streams.ownerOf(name);
            if (isLocal(owner)) {
                return Mono.just(local(() -> streams.reader(owner.partition()).channel(name, clock.millis()))
                        .orElseThrow(() -> new UnknownChannelException(name)));
            }
            return forward(
                    owner.activeHost(),
                    forwarded,
                    ChannelInfo.class,
                    name,
                    b -> b.path("/channels/{name}").build(name));
        });
    }

    /** The channel's most recent offsets, newest last. */
    Mono<RecentOffsets> recent(String name, int limit, boolean forwarded) {
        return Mono.defer(() -> {
            KeyQueryMetadata owner = streams.ownerOf(name);
            if (isLocal(owner)) {
                return Mono.just(local(() -> streams.reader(owner.partition()).recent(name, limit))
                        .orElseThrow(() -> new UnknownChannelException(name)));
            }
            return forward(
                    owner.activeHost(),
                    forwarded,
                    RecentOffsets.class,
                    name,
                    b -> b.path("/channels/{name}/recent")
                            .queryParam("limit", limit)
                            .build(name));
        });
    }

    /**
     * Up to {@code limit} channels in name order, starting with {@code prefix} (empty: all), after
     * {@code after} (null: from the start), from all instances, or from this one only when
     * {@code forwarded}.
     */
    Mono<ChannelPage> list(String prefix, String after, int limit, boolean forwarded) {
        return Mono.defer(() -> {
            if (forwarded) {
                return Mono.just(localPage(prefix, after, limit));
            }
            HostInfo self = streams.self();
            List<Mono<ChannelPage>> answers = new ArrayList<>();
            for (HostInfo host : streams.hosts()) {
                answers.add(
                        host.equals(self)
                                ? Mono.fromSupplier(() -> localPage(prefix, after, limit))
                                : forward(
                                        host,
                                        false,
                                        ChannelPage.class,
                                        null,
                                        b -> b.path("/channels")
                                                .queryParam("prefix", prefix)
                                                .queryParam("limit", limit)
                                                .queryParamIfPresent("after", Optional.ofNullable(after))
                                                .build()));
            }
            return Flux.merge(answers).collectList().map(pages -> ChannelPage.merge(pages, limit));
        });
    }

    private ChannelPage localPage(String prefix, String after, int limit) {
        long now = clock.millis();
        return local(() -> {
            List<ChannelPage> pages = new ArrayList<>();
            for (int partition : streams.localPartitions()) {
                pages.add(streams.reader(partition).page(prefix, after, limit, now));
            }
            return ChannelPage.merge(pages, limit);
        });
    }

    private boolean isLocal(KeyQueryMetadata owner) {
        return owner.activeHost().equals(streams.self());
    }

    private static <T> T local(Supplier<T> query) {
        try {
            return query.get();
        } catch (InvalidStateStoreException e) {
            throw new DirectoryUnavailableException(
                    "the channel directory is moving state between instances; " + "retry shortly", e);
        }
    }

    private <T> Mono<T> forward(
            HostInfo owner, boolean forwarded, Class<T> type, String channel, Function<UriBuilder, URI> uri) {
        if (forwarded) {
            return Mono.error(new DirectoryUnavailableException(
                    "the channel directory is moving state between instances; retry shortly"));
        }
        String where = owner.host() + ":" + owner.port();
        return web.get()
                .uri(uri.apply(UriComponentsBuilder.newInstance()
                        .scheme("http")
                        .host(owner.host())
                        .port(owner.port())))
                .header(FORWARDED_HEADER, "true")
                .accept(MediaType.APPLICATION_JSON)
                .exchangeToMono(response -> {
                    if (response.statusCode().is2xxSuccessful()) {
                        return response.bodyToMono(type);
                    }
                    if (response.statusCode().value() == HttpStatus.NOT_FOUND.value() && channel != null) {
                        return response.releaseBody().then(Mono.error(new UnknownChannelException(channel)));
                    }
                    return response.releaseBody()
                            .then(Mono.error(new DirectoryUnavailableException(
                                    "instance " + where + " that owns the directory's state answered "
                                            + response.statusCode().value() + "; retry shortly")));
                })
                .timeout(forwardTimeout)
                .onErrorMap(
                        e -> !(e instanceof UnknownChannelException || e instanceof DirectoryUnavailableException),
                        e -> {
                            String reason = e instanceof TimeoutException
                                    ? "did not answer within " + forwardTimeout
                                    : "could not be reached: " + e.getMessage();
                            log.warn("channel directory: instance {} {}", where, reason);
                            return new DirectoryUnavailableException(
                                    "instance " + where + " that owns the directory's state " + reason
                                            + "; retry shortly",
                                    e);
                        });
    }
}
