package io.fanout.common.publish;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.BiFunction;
import org.apache.kafka.common.errors.RetriableException;
import reactor.core.publisher.Mono;

/**
 * Makes a publish with an idempotency key write at most once within {@code window}, on any instance, over HTTP and
 * WebSocket alike, and answers every retry with the first write's ack.
 *
 * <p><b>What is kept.</b> Per key: a SHA-256 digest of channel and message (never the message itself), when it was
 * first seen, and where the event landed (id, partition, offset, timestamp) once known. The message of a returned
 * ack is the retry's own, which the digest proves equal. At most {@code maxKeys} keys and about {@code maxBytes}
 * bytes ({@link #estimatedBytes}), oldest forgotten first: a key is at most 200 characters, so neither 1 MiB
 * messages nor a start-up re-read can grow the store past its bounds.
 *
 * <p><b>Across instances and restarts.</b> The key travels with the event (record header
 * {@value IdempotencyKeys#HEADER}); every instance follows the topic ({@link IdempotencyKeyFollower}) from
 * {@code window} ago and remembers every keyed event it reads. A key this instance does not know is looked up only
 * after the follower has read the channel's partition up to where it ended when the publish arrived: a retry sent
 * after the first write was acked, to any instance, finds it.
 *
 * <p><b>Outcome unknown.</b> A keyed publish whose answer was an error (the 503 of a timeout) stays remembered while
 * the producer may still write it. A retry waits (up to {@code resolveTimeout}) for what Kafka finally did: written,
 * it gets that ack; certainly not written (never handed to the producer, refused outright, or a retriable failure
 * after which the followed log does not hold it), it writes; still unknown, it is refused with
 * {@link PublishOutcomeUnknownException} (503, Retry-After). Concurrent duplicates wait for the first write.
 *
 * <p>Limit: two first attempts of one key arriving at two instances at the same moment (neither has written yet) can
 * both write; a retry after an answer, even a 503, cannot.
 *
 * <p>Thread-safe: one lock around the map, held for lookups and updates only, never while publishing or waiting.
 */
public final class IdempotencyStore {

    /** Where a keyed event landed: an ack without its message. */
    record Landing(String id, int partition, long offset, long timestamp) {

        static Landing of(PublishAck ack) {
            return new Landing(ack.id(), ack.partition(), ack.offset(), ack.timestamp());
        }

        PublishAck ack(PublishRequest request) {
            return new PublishAck(request.channel(), request.message(), id, partition, offset, timestamp);
        }
    }

    /**
     * One key. {@code written} completes with where the event landed, or exceptionally with what stopped it
     * ({@link NotWrittenException}: certainly not written; otherwise the producer's error).
     */
    private record Entry(byte[] digest, long firstSeenMillis, CompletableFuture<Landing> written, int bytes) {}

    /** A rough upper bound of the heap one entry takes besides its key's characters. */
    static final int ENTRY_OVERHEAD_BYTES = 320;

    private final long windowMillis;
    private final int maxKeys;
    private final long maxBytes;
    private final Duration resolveTimeout;
    private final LinkedHashMap<String, Entry> entries = new LinkedHashMap<>();
    private long bytes;
    private volatile IdempotencyKeyFollower follower;

    /**
     * @param resolveTimeout how long a retry waits for the outcome of an earlier write of its key (and for the
     *     follower to catch up) before it is refused with 503
     */
    public IdempotencyStore(Duration window, int maxKeys, long maxBytes, Duration resolveTimeout) {
        this.windowMillis = window.toMillis();
        this.maxKeys = maxKeys;
        this.maxBytes = maxBytes;
        this.resolveTimeout = resolveTimeout;
    }

    /** Lets keys be looked up in the followed topic too; without one, keys are known to this instance only. */
    public void followWith(IdempotencyKeyFollower follower) {
        this.follower = follower;
    }

    public Duration window() {
        return Duration.ofMillis(windowMillis);
    }

    /**
     * Publishes {@code request} through {@code publish} unless its key was written within the window; then answers
     * with that write's ack. {@code publish} gets a future to complete with what Kafka finally did. Errors with
     * {@link IdempotencyKeyReusedException} when the key came with another channel or message, and with
     * {@link PublishOutcomeUnknownException} while an earlier write of the key may still land.
     */
    public Mono<PublishAck> publishOnce(
            PublishRequest request,
            BiFunction<PublishRequest, CompletableFuture<PublishAck>, Mono<PublishAck>> publish) {
        byte[] digest = digest(request);
        return Mono.defer(() -> {
            Entry known = lookup(request.idempotencyKey());
            if (known != null) {
                return answer(request, digest, known, publish);
            }
            // not known here: first let the follower read what other instances (or an earlier run) wrote
            return caughtUp(request.channel()).then(Mono.defer(() -> startOrJoin(request, digest, publish)));
        });
    }

    private Mono<PublishAck> startOrJoin(
            PublishRequest request,
            byte[] digest,
            BiFunction<PublishRequest, CompletableFuture<PublishAck>, Mono<PublishAck>> publish) {
        Entry entry;
        CompletableFuture<PublishAck> outcome;
        synchronized (this) {
            Entry known = lookupLocked(request.idempotencyKey(), System.currentTimeMillis());
            if (known != null) {
                entry = known;
                outcome = null;
            } else {
                outcome = new CompletableFuture<>();
                entry = new Entry(
                        digest,
                        System.currentTimeMillis(),
                        outcome.thenApply(Landing::of),
                        sizeOf(request.idempotencyKey()));
                put(request.idempotencyKey(), entry);
            }
        }
        if (outcome == null) {
            return answer(request, digest, entry, publish);
        }
        return publish.apply(request, outcome);
    }

    /** The answer for a key already known: its ack once written, a new write if it certainly was not. */
    private Mono<PublishAck> answer(
            PublishRequest request,
            byte[] digest,
            Entry entry,
            BiFunction<PublishRequest, CompletableFuture<PublishAck>, Mono<PublishAck>> publish) {
        String key = request.idempotencyKey();
        if (!Arrays.equals(entry.digest(), digest)) {
            return Mono.error(new IdempotencyKeyReusedException("idempotency key '" + key
                    + "' was used within the last " + windowMillis / 1000
                    + " s for a different channel or message; use a new key for a new event"));
        }
        return Mono.fromFuture(entry.written(), true)
                .timeout(resolveTimeout, Mono.error(() -> unknown(key)))
                .map(landing -> landing.ack(request))
                .onErrorResume(error -> {
                    Throwable cause =
                            error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
                    if (cause instanceof PublishOutcomeUnknownException) {
                        return Mono.error(cause);
                    }
                    if (cause instanceof RetriableException) {
                        // the producer gave up but the record may be in the log: look there before writing again
                        return caughtUp(request.channel()).then(Mono.defer(() -> {
                            Entry now = lookup(key);
                            if (now != null && now != entry) {
                                return answer(request, digest, now, publish);
                            }
                            forget(key, entry);
                            return publishOnce(request, publish);
                        }));
                    }
                    forget(key, entry); // certainly not written: the retry writes
                    return publishOnce(request, publish);
                });
    }

    private Mono<Void> caughtUp(String channel) {
        IdempotencyKeyFollower current = follower;
        if (current == null) {
            return Mono.empty();
        }
        return current.caughtUp(channel)
                .timeout(
                        resolveTimeout,
                        Mono.error(() -> new PublishOutcomeUnknownException(
                                "could not read the recent log to check the idempotency key in time; retry shortly")));
    }

    private PublishOutcomeUnknownException unknown(String key) {
        return new PublishOutcomeUnknownException("an earlier publish with idempotency key '" + key
                + "' is not yet acknowledged or refused by Kafka; retry shortly to get its ack");
    }

    /**
     * Remembers where a keyed event read from the topic landed (the follower calls this). The first write of a key is
     * the one acked: a key already known with a landing keeps it; one still in flight or failed learns it.
     */
    void remember(String key, String channel, String message, Landing landing, long timestampMillis) {
        byte[] digest = digest(channel, message);
        synchronized (this) {
            long now = System.currentTimeMillis();
            if (now - timestampMillis > windowMillis) {
                return;
            }
            Entry known = lookupLocked(key, now);
            if (known != null) {
                if (known.written().isDone() && !known.written().isCompletedExceptionally()) {
                    return;
                }
                if (Arrays.equals(known.digest(), digest) && known.written().complete(landing)) {
                    return;
                }
                entries.remove(key);
                bytes -= known.bytes();
            }
            put(key, new Entry(digest, timestampMillis, CompletableFuture.completedFuture(landing), sizeOf(key)));
        }
    }

    /** Keys remembered now. */
    public synchronized int size() {
        return entries.size();
    }

    /** Estimated heap held by the remembered keys, in bytes; at most about {@code maxBytes}. */
    public synchronized long estimatedBytes() {
        return bytes;
    }

    private synchronized Entry lookup(String key) {
        return lookupLocked(key, System.currentTimeMillis());
    }

    private Entry lookupLocked(String key, long now) {
        evict(now);
        Entry entry = entries.get(key);
        if (entry != null && now - entry.firstSeenMillis() > windowMillis) {
            entries.remove(key);
            bytes -= entry.bytes();
            return null;
        }
        return entry;
    }

    private synchronized void forget(String key, Entry entry) {
        if (entries.remove(key, entry)) {
            bytes -= entry.bytes();
        }
    }

    private void put(String key, Entry entry) {
        Entry previous = entries.put(key, entry);
        if (previous != null) {
            bytes -= previous.bytes();
        }
        bytes += entry.bytes();
        Iterator<Entry> oldest = entries.values().iterator();
        while ((entries.size() > maxKeys || bytes > maxBytes) && oldest.hasNext()) {
            Entry dropped = oldest.next();
            if (dropped == entry) {
                break; // the newest always stays
            }
            oldest.remove();
            bytes -= dropped.bytes();
        }
    }

    private void evict(long now) {
        Iterator<Entry> it = entries.values().iterator();
        while (it.hasNext()) {
            Entry entry = it.next();
            if (now - entry.firstSeenMillis() <= windowMillis) {
                return; // roughly insertion order; a stray younger entry ahead only delays eviction
            }
            it.remove();
            bytes -= entry.bytes();
        }
    }

    private static int sizeOf(String key) {
        return ENTRY_OVERHEAD_BYTES + 2 * key.length();
    }

    static byte[] digest(PublishRequest request) {
        return digest(request.channel(), request.message());
    }

    static byte[] digest(String channel, String message) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(channel.getBytes(StandardCharsets.UTF_8));
            sha.update((byte) 0);
            sha.update(message.getBytes(StandardCharsets.UTF_8));
            return sha.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }
}
