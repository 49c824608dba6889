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
 * Answers directory questions from the four stores of one partition (or of a test driver). Reads only;
 * safe to use from any thread while the stores are open. A store closed or migrated underneath it throws
 * Streams' {@code InvalidStateStoreException}.
 */
final class DirectoryReader {

    /** Above every character allowed in a channel name, so {@code prefix + PREFIX_END} bounds a prefix. */
    private static final char PREFIX_END = '~';

    private static final long BUCKET_MS = DirectoryTopology.RATE_BUCKET.toMillis();
    private static final long WINDOW_MS = DirectoryTopology.RATE_WINDOW.toMillis();

    private final ReadOnlyKeyValueStore<String, ChannelStats> stats;
    private final ReadOnlyKeyValueStore<Bytes, byte[]> index;
    private final ReadOnlyWindowStore<String, Long> rate;
    private final ReadOnlyKeyValueStore<Integer, Long> progress;
    private final int recentOffsets;

    /** @param recentOffsets the most offsets {@link #recent} answers with ({@code fanout.directory.recent-offsets}) */
    DirectoryReader(
            ReadOnlyKeyValueStore<String, ChannelStats> stats,
            ReadOnlyKeyValueStore<Bytes, byte[]> index,
            ReadOnlyWindowStore<String, Long> rate,
            ReadOnlyKeyValueStore<Integer, Long> progress,
            int recentOffsets) {
        this.stats = stats;
        this.index = index;
        this.rate = rate;
        this.progress = progress;
        this.recentOffsets = recentOffsets;
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
     * The channel's last {@code min(limit, recentOffsets)} offsets up to the partition's processed offset,
     * oldest first, or fewer when the index does not reach back that far; empty when the channel is unknown.
     *
     * <p>The stream thread keeps writing while this reads. So the partition's progress P is read first
     * and the channel after it: the channel's state then holds every event up to P and perhaps a few
     * newer ones, which are left out (and out of {@code count}), so that the answer is exact up to P.
     * The channel's newest block comes with its stats while it is not full; the other blocks are read from the
     * index after the stats, newest first, and may hold still newer offsets (left out by sequence number); a
     * block dropped meanwhile, or a slot never filled (the index started late), ends the answer there.
     */
    Optional<RecentOffsets> recent(String name, int limit) {
        ChannelStats first = stats.get(name);
        if (first == null) {
            return Optional.empty();
        }
        Long through = progress.get(first.partition());
        ChannelStats s = stats.get(name);
        long count = s.count();
        int wanted = Math.min(limit, recentOffsets);
        List<Long> newestFirst = new ArrayList<>(Math.min(wanted, 1024));
        long newestBlock = OffsetBlock.of(s.count() - 1);
        reading:
        for (long block = newestBlock;
                block >= OffsetBlock.of(s.indexStart()) && newestFirst.size() < wanted;
                block--) {
            byte[] bytes = block == newestBlock && s.newestBlock() != null
                    ? s.newestBlock()
                    : index.get(IndexKey.of(name, block));
            if (bytes == null) {
                break;
            }
            long[] offsets = OffsetBlock.decode(bytes);
            int newest = (int) Math.min(offsets.length - 1, s.count() - 1 - block * OffsetBlock.SIZE);
            for (int slot = newest; slot >= 0 && newestFirst.size() < wanted; slot--) {
                if (offsets[slot] == OffsetBlock.NONE) {
                    break reading;
                }
                if (through != null && offsets[slot] > through) {
                    count--;
                } else {
                    newestFirst.add(offsets[slot]);
                }
            }
        }
        Collections.reverse(newestFirst);
        return Optional.of(new RecentOffsets(name, s.partition(), count, newestFirst, through));
    }

    /**
     * The channel's figures as of {@code now}. Its newest rate bucket is counted in its stats until a newer
     * one starts, then in the window store, which the stream thread writes first; read after the stats, the
     * window store may therefore hold that bucket already, and then its count there is the one to take.
     */
    private ChannelInfo info(String name, ChannelStats s, long now) {
        long windowStart = now - Math.floorMod(now, BUCKET_MS) - (WINDOW_MS - BUCKET_MS);
        long events = 0;
        boolean newestStored = false;
        try (WindowStoreIterator<Long> buckets =
                rate.fetch(name, Instant.ofEpochMilli(windowStart), Instant.ofEpochMilli(now))) {
            while (buckets.hasNext()) {
                KeyValue<Long, Long> bucket = buckets.next();
                events += bucket.value;
                newestStored |= bucket.key == s.rateBucket();
            }
        }
        if (!newestStored && s.rateBucket() >= windowStart && s.rateBucket() <= now) {
            events += s.inRateBucket();
        }
        double seconds = Math.max(1, now - windowStart) / 1000.0;
        double perSecond = Math.round(events / seconds * 1000) / 1000.0;
        return new ChannelInfo(
                name,
                s.partition(),
                s.count() + s.mirrored(),
                s.mirrored(),
                s.firstOffset(),
                s.lastOffset(),
                s.firstTimestamp(),
                s.lastTimestamp(),
                events,
                perSecond);
    }
}
