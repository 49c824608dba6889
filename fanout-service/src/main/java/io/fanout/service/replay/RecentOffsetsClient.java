package io.fanout.service.replay;

import io.fanout.common.security.InternalCredentials;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * Asks the channel directory ({@code GET /channels/{name}/recent?limit=N} of an ingest-service) for the
 * offsets of a channel's last events, so {@code last=N} can seek straight to them. Blocking, with a
 * timeout: call it only from a replay thread. Empty when no directory is configured or it cannot answer.
 * With auth on, each request carries the service's own credential ({@link InternalCredentials}).
 */
@Component
class RecentOffsetsClient {

    private static final Logger log = LoggerFactory.getLogger(RecentOffsetsClient.class);

    private final WebClient client;
    private final ReplayProperties properties;

    RecentOffsetsClient(ReplayProperties properties, InternalCredentials credentials) {
        this.properties = properties;
        this.client = properties.directoryUrl().isBlank()
                ? null
                : WebClient.builder()
                        .baseUrl(properties.directoryUrl())
                        .filter(credentials.filter())
                        .build();
    }

    /**
     * The offsets of the last {@code limit} events of {@code channel}, ascending, if the directory knows them
     * all, and how far into the channel's partition the directory had read ({@code -1} when it does not say).
     */
    Optional<Recent> recent(String channel, int limit) {
        if (client == null) {
            return Optional.empty();
        }
        try {
            Recent recent = client.get()
                    .uri("/channels/{name}/recent?limit={limit}", channel, limit)
                    .retrieve()
                    .bodyToMono(Recent.class)
                    .block(properties.directoryTimeout());
            if (recent == null
                    || recent.offsets() == null
                    || recent.offsets().size() < Math.min(limit, recent.count())) {
                return Optional.empty();
            }
            return Optional.of(recent);
        } catch (RuntimeException e) {
            log.debug("directory could not answer for {}: {}", channel, e.toString());
            return Optional.empty();
        }
    }

    /** The directory's answer, as far as it is needed here. */
    record Recent(String channel, int partition, long count, List<Long> offsets, Long indexedThrough) {

        long lastKnownOffset() {
            long lastOffset = offsets.isEmpty() ? -1 : offsets.get(offsets.size() - 1);
            return indexedThrough == null ? lastOffset : Math.max(lastOffset, indexedThrough);
        }
    }
}
