package io.fanout.bench;

import io.fanout.tools.net.RawHttp;
import io.netty.channel.EventLoopGroup;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BooleanSupplier;
import org.HdrHistogram.Recorder;
import reactor.core.publisher.Mono;
import reactor.netty.resources.LoopResources;

/**
 * Publishes generator events to ingest-service over HTTP ({@code POST /push} and
 * {@code POST /push/batch}) on a pool of keep-alive connections ({@link RawHttp}), and keeps what the acks said:
 * per channel, which sequence numbers were acknowledged (for lost/duplicate accounting) and the
 * lowest acked offset (for replay). Thread-safe.
 */
final class Publisher {

    /** The channels one phase publishes to, with per-channel sequence numbers and acks. */
    static final class Channels {
        final String[] names;
        final byte[][] nameBytes;
        final AtomicInteger[] nextSeq;
        final Bits[] acked;
        final long[] minOffset;
        final boolean track;
        private final AtomicLong roundRobin = new AtomicLong();

        Channels(String prefix, int k, boolean track) {
            names = new String[k];
            nameBytes = new byte[k][];
            nextSeq = new AtomicInteger[k];
            acked = new Bits[k];
            minOffset = new long[k];
            this.track = track;
            for (int i = 0; i < k; i++) {
                names[i] = k == 1 ? prefix : prefix + "." + i;
                nameBytes[i] = names[i].getBytes(StandardCharsets.UTF_8);
                nextSeq[i] = new AtomicInteger();
                acked[i] = new Bits();
                minOffset[i] = Long.MAX_VALUE;
            }
        }

        int size() {
            return names.length;
        }

        int nextChannel() {
            return (int) (roundRobin.getAndIncrement() % names.length);
        }

        long ackedCount(int ch) {
            synchronized (acked[ch]) {
                return acked[ch].cardinality();
            }
        }
    }

    private final RawHttp http;
    private final EventLoopGroup group;
    private final String pad;
    final LongAdder sentEvents = new LongAdder();
    final LongAdder ackedEvents = new LongAdder();
    final LongAdder failedEvents = new LongAdder();
    final LongAdder requests = new LongAdder();
    final LongAdder okRequests = new LongAdder();
    /** Request round trip (write to full response) in microseconds. */
    final Recorder ackLatency = new Recorder(3);

    private final Map<String, Long> failures = new TreeMap<>();

    Publisher(LoopResources loops, String ingestUrl, int maxConnections, int messageBytes, String token) {
        this.group = loops.onClient(false);
        this.http = new RawHttp(group, ingestUrl, maxConnections).bearer(token);
        // {"bseq":123456,"bsent":12345678901234,"pad":""} is ~45 bytes; pad up to messageBytes
        this.pad = "x".repeat(Math.max(0, messageBytes - 45));
    }

    private void event(StringBuilder sb, String channel, int seq, long sentNanos) {
        sb.append("{\"channel\":\"")
                .append(channel)
                .append("\",\"message\":{\"bseq\":")
                .append(seq)
                .append(",\"bsent\":")
                .append(sentNanos)
                .append(",\"pad\":\"")
                .append(pad)
                .append("\"}}");
    }

    /** A message without a sequence number: subscribers use it to tell they are live. */
    Mono<Boolean> probe(String[] channels) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < channels.length; i++) {
            if (i > 0) {
                sb.append(',');
            }
            sb.append("{\"channel\":\"").append(channels[i]).append("\",\"message\":{\"bprobe\":1}}");
        }
        return post("/push/batch", sb.append(']').toString().getBytes(StandardCharsets.UTF_8))
                .map(r -> r.status() == 200);
    }

    /**
     * POST /push of the next event of a channel of cs (sentNanos 0 = now); done runs once it is
     * answered, with whether it was acked.
     */
    void pushOne(Channels cs, long sentNanos, Done done) {
        int ch = cs.nextChannel();
        int seq = cs.nextSeq[ch].getAndIncrement();
        StringBuilder sb = new StringBuilder(160 + pad.length());
        event(sb, cs.names[ch], seq, sentNanos == 0 ? System.nanoTime() : sentNanos);
        sentEvents.increment();
        int[] chs = {ch};
        int[] seqs = {seq};
        post("/push", sb.toString().getBytes(StandardCharsets.UTF_8), r -> done.done(acks(cs, chs, seqs, r)));
    }

    /** POST /push/batch of n events spread round-robin over the channels of cs. */
    void pushBatch(Channels cs, int n, Done done) {
        int[] chs = new int[n];
        int[] seqs = new int[n];
        StringBuilder sb = new StringBuilder(n * (100 + cs.names[0].length() + pad.length()) + 16);
        sb.append('[');
        long now = System.nanoTime();
        for (int i = 0; i < n; i++) {
            chs[i] = cs.nextChannel();
            seqs[i] = cs.nextSeq[chs[i]].getAndIncrement();
            if (i > 0) {
                sb.append(',');
            }
            event(sb, cs.names[chs[i]], seqs[i], now);
        }
        sb.append(']');
        sentEvents.add(n);
        post("/push/batch", sb.toString().getBytes(StandardCharsets.UTF_8), r -> done.done(acks(cs, chs, seqs, r)));
    }

    Mono<Boolean> pushBatch(Channels cs, int n) {
        return Mono.create(sink -> pushBatch(cs, n, sink::success));
    }

    /** Completion of one publish request: ok = acked. */
    @FunctionalInterface
    interface Done {
        void done(boolean ok);
    }

    /**
     * Runs n closed loops (each: one request, wait for its answer, next) of step while keepGoing;
     * a loop whose request failed waits 50 ms before the next. The future completes when all
     * loops stopped.
     */
    CompletableFuture<Void> closedLoops(
            int n, BooleanSupplier keepGoing, BooleanSupplier paused, java.util.function.Consumer<Done> step) {
        CompletableFuture<Void> all = new CompletableFuture<>();
        AtomicInteger running = new AtomicInteger(n);
        for (int i = 0; i < n; i++) {
            Runnable[] again = new Runnable[1];
            Done next = ok -> {
                if (ok) {
                    again[0].run();
                } else {
                    group.schedule(again[0], 50, TimeUnit.MILLISECONDS);
                }
            };
            again[0] = () -> {
                if (!keepGoing.getAsBoolean()) {
                    if (running.decrementAndGet() == 0) {
                        all.complete(null);
                    }
                } else if (paused.getAsBoolean()) {
                    group.schedule(again[0], 1, TimeUnit.MILLISECONDS);
                } else {
                    step.accept(next);
                }
            };
            group.execute(again[0]);
        }
        return all;
    }

    private boolean acks(Channels cs, int[] chs, int[] seqs, RawHttp.Resp r) {
        int n = chs.length;
        if (r.status() != 200) {
            failedEvents.add(n);
            fail(r.status() == 0 ? r.error() : "HTTP " + r.status());
            return false;
        }
        long[] offsets = new long[n];
        int found = FrameScan.offsets(r.body(), r.body().length, offsets);
        if (found != n) {
            failedEvents.add(n);
            fail("200 with " + found + " offsets for " + n + " events");
            return false;
        }
        okRequests.increment();
        ackedEvents.add(n);
        if (!cs.track) {
            return true;
        }
        for (int i = 0; i < n; i++) {
            int ch = chs[i];
            synchronized (cs.acked[ch]) {
                cs.acked[ch].testAndSet(seqs[i]);
                if (offsets[i] >= 0 && offsets[i] < cs.minOffset[ch]) {
                    cs.minOffset[ch] = offsets[i];
                }
            }
        }
        return true;
    }

    private void fail(String what) {
        synchronized (failures) {
            failures.merge(what, 1L, Long::sum);
        }
    }

    /** Failure kinds and counts (requests) so far. */
    Map<String, Long> failures() {
        synchronized (failures) {
            return new TreeMap<>(failures);
        }
    }

    void post(String path, byte[] body, java.util.function.Consumer<RawHttp.Resp> cb) {
        long start = System.nanoTime();
        requests.increment();
        http.post(path, body, r -> {
            ackLatency.recordValue(Math.max(0, (System.nanoTime() - start) / 1000));
            cb.accept(r);
        });
    }

    Mono<RawHttp.Resp> post(String path, byte[] body) {
        return Mono.create(sink -> post(path, body, sink::success));
    }

    /** Closes this publisher's connections (those still answering once their answer came). */
    void close() {
        http.close();
    }

    /** GET, for health and metrics. */
    Mono<RawHttp.Resp> get(String path) {
        return Mono.<RawHttp.Resp>create(sink -> http.get(path, sink::success))
                .timeout(Duration.ofSeconds(15), Mono.just(RawHttp.Resp.failed("timeout")));
    }
}
