package io.fanout.ingest.directory;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import org.apache.kafka.common.utils.Bytes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.apache.kafka.streams.state.ReadOnlyWindowStore;
import org.apache.kafka.streams.state.WindowStoreIterator;

/**
 * Answers directory questions from the three stores of one partition (or of a test driver). Reads only;
 * safe to use from any thread while the stores are open. A store closed or migrated underneath it throws
 * Streams' {@code InvalidStateStoreException}.
 */
final class DirectoryReader {

    /** Above every character allowed in a channel name, so {@code prefix + PREFIX_END} bounds a prefix. */
    private static final char PREFIX_END = '~';
    private static final long BUCKET_MS = DirectoryTopology.RATE_BUCKET.toMillis();
    private static final long WINDOW_MS = DirectoryTopology.RATE_WINDOW.toMillis();

    private final ReadOnlyKeyValueStore<String, ChannelStats> stats;
    private final ReadOnlyKeyValueStore<Bytes, Long> index;
    private final ReadOnlyWindowStore<String, Long> rate;
    private final ReadOnlyKeyValueStore<Integer, Long> progress;

    DirectoryReader(ReadOnlyKeyValueStore<String, ChannelStats> stats, ReadOnlyKeyValueStore<Bytes, Long> index,
            ReadOnlyWindowStore<String, Long> rate, ReadOnlyKeyValueStore<Integer, Long> progress) {
        this.stats = stats;
        this.index = index;
        this.rate = rate;
        this.progress = progress;
    }

    /** The channel as of {@code now} (epoch ms, the end of its rate window), or empty when unknown. */
    Optional<ChannelInfo> channel(String name, long now) {
        return Optional.ofNullable(stats.get(name)).map(s -> info(name, s, now));
    }

    /**
     * Up to {@code limit} channels in name order whose names start with {@code prefix} and sort after
     * {@code after}; {@code next} is set when there are more.
     *
     * @param prefix a name prefix, empty for all
     * @param after the last name of the previous page, or {@code null}
     */
    ChannelPage page(String prefix, String after, int limit, long now) {
        String from = prefix.isEmpty() ? null : prefix;
        if (after != null && (from == null || after.compareTo(from) >= 0)) {
            from = after;
        }
        String to = prefix.isEmpty() ? null : prefix + PREFIX_END;
        if (from != null && to != null && from.compareTo(to) > 0) {
            return ChannelPage.EMPTY;
        }
        List<ChannelInfo> items = new ArrayList<>();
        boolean more = false;
        try (KeyValueIterator<String, ChannelStats> range = stats.range(from, to)) {
            while (range.hasNext()) {
                KeyValue<String, ChannelStats> entry = range.next();
                if (entry.key.equals(after)) {
                    continue;
                }
                if (items.size() == limit) {
                    more = true;
                    break;
                }
                items.add(info(entry.key, entry.value, now));
            }
        }
        return new ChannelPage(items, more ? items.get(items.size() - 1).channel() : null);
    }

    /**
     * The channel's last {@code min(limit, kept)} offsets up to the partition's processed offset, oldest
     * first, or empty when unknown.
     *
     * <p>The stream thread keeps writing while this reads. So the partition's progress P is read first
     * and the channel after it: the channel's state then holds every event up to P and perhaps a few
     * newer ones, which are left out (and out of {@code count}), so that the answer is exact up to P.
     */
    Optional<RecentOffsets> recent(String name, int limit) {
        ChannelStats first = stats.get(name);
        if (first == null) {
            return Optional.empty();
        }
        Long through = progress.get(first.partition());
        ChannelStats s = stats.get(name);
        long count = s.count();
        List<Long> newestFirst = new ArrayList<>(Math.min(limit, 1024));
        if (s.count() > s.indexStart()) {
            try (KeyValueIterator<Bytes, Long> range =
                    index.reverseRange(IndexKey.of(name, s.indexStart()), IndexKey.of(name, s.count() - 1))) {
                while (range.hasNext() && newestFirst.size() < limit) {
                    long offset = range.next().value;
                    if (through != null && offset > through) {
                        count--;
                    } else {
                        newestFirst.add(offset);
                    }
                }
            }
        }
        Collections.reverse(newestFirst);
        return Optional.of(new RecentOffsets(name, s.partition(), count, newestFirst, through));
    }

    private ChannelInfo info(String name, ChannelStats s, long now) {
        long windowStart = now - Math.floorMod(now, BUCKET_MS) - (WINDOW_MS - BUCKET_MS);
        long events = 0;
        try (WindowStoreIterator<Long> buckets =
                rate.fetch(name, Instant.ofEpochMilli(windowStart), Instant.ofEpochMilli(now))) {
            while (buckets.hasNext()) {
                events += buckets.next().value;
            }
        }
        double seconds = Math.max(1, now - windowStart) / 1000.0;
        double perSecond = Math.round(events / seconds * 1000) / 1000.0;
        return new ChannelInfo(name, s.partition(), s.count(), s.firstOffset(), s.lastOffset(), s.firstTimestamp(),
                s.lastTimestamp(), events, perSecond);
    }
}
