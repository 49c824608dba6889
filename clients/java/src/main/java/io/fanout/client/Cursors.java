package io.fanout.client;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A program's resume position: the {@code cursor} of the last event it took in each partition, or, for events
 * without a cursor (a server from before cursors), the next offset per partition. Feed it the events the program
 * has handled ({@code flux.doOnNext(position::advance)}), store {@link #values()} and start a later subscription,
 * on any instance of any region, with {@link #options()}: it carries on right after those events. From a platform
 * that numbers each channel's events it also keeps the last {@link Event#seq() seq} of each channel and origin
 * ({@link #seqValues()}; store them too and pass them to {@link #of(Collection, Collection)}), which the next
 * subscription sends with its cursors and tells repeats and gaps by.
 *
 * <p>Thread-safe (its methods synchronize on it).
 */
public final class Cursors {

    private static final Pattern CURSOR = Pattern.compile("1\\.(\\d+)\\.[A-Za-z0-9_.~-]*");

    private final Map<Integer, String> cursors = new TreeMap<>();
    private final Map<Integer, Long> next = new TreeMap<>();
    /** {@code channel~origin -> last seq} */
    private final Map<String, Long> seqs = new TreeMap<>();

    /** An empty position: {@link #options()} starts live. */
    public Cursors() {}

    /** A position from stored cursors (one per partition, or comma-joined lists of them). */
    public static Cursors of(Collection<String> stored) {
        Cursors position = new Cursors();
        Map<Integer, String> byPartition = new TreeMap<>();
        for (String cursor : split(stored)) {
            byPartition.put(partitionOf(cursor), cursor);
        }
        synchronized (position) {
            position.cursors.putAll(byPartition);
        }
        return position;
    }

    /** A position from stored cursors and seq values ({@code channel~origin~n}, {@link #seqValues()}). */
    public static Cursors of(Collection<String> stored, Collection<String> storedSeqs) {
        Cursors position = of(stored);
        for (String value : ResumePosition.checkSeqValues(List.copyOf(storedSeqs))) {
            int last = value.lastIndexOf('~');
            synchronized (position) {
                position.seqs.put(value.substring(0, last), Long.parseLong(value.substring(last + 1)));
            }
        }
        return position;
    }

    /** Records that the program took {@code event}. */
    public synchronized void advance(Event event) {
        if (event.seq() >= 0) {
            seqs.merge(event.channel() + "~" + (event.origin() == null ? "" : event.origin()), event.seq(), Math::max);
        }
        if (event.cursor() != null) {
            cursors.put(event.partition(), event.cursor());
        } else {
            next.put(event.partition(), event.offset() + 1);
        }
    }

    /** The cursors, one per partition in partition order (empty when the server sent none). */
    public synchronized List<String> values() {
        return List.copyOf(cursors.values());
    }

    /** The last seq taken per channel and origin, {@code channel~origin~n} (empty when the events had none). */
    public synchronized List<String> seqValues() {
        return seqs.entrySet().stream()
                .map(e -> e.getKey() + "~" + e.getValue())
                .toList();
    }

    /**
     * Where to subscribe to carry on right after the events taken: {@link SubscribeOptions#cursor} when cursors are
     * known, else {@link SubscribeOptions#from(String)} with the next offsets (one region only), else live.
     */
    public synchronized SubscribeOptions options() {
        if (!cursors.isEmpty()) {
            return SubscribeOptions.cursor(values()).seq(seqValues());
        }
        if (!next.isEmpty()) {
            return SubscribeOptions.from(ResumePosition.format(next));
        }
        return SubscribeOptions.live();
    }

    /** The partition a cursor names ({@code 1.<partition>.…}); {@link IllegalArgumentException} for a non-cursor. */
    static int partitionOf(String cursor) {
        Matcher matcher = CURSOR.matcher(cursor == null ? "" : cursor);
        if (!matcher.matches()) {
            throw new IllegalArgumentException("not a fanout cursor: '" + cursor + "'");
        }
        return Integer.parseInt(matcher.group(1));
    }

    /** Cursors given one by one or comma-joined, checked. */
    static List<String> split(Collection<String> given) {
        List<String> result = new ArrayList<>();
        for (String item : given) {
            for (String cursor : String.valueOf(item).split(",", -1)) {
                partitionOf(cursor);
                result.add(cursor);
            }
        }
        if (result.isEmpty()) {
            throw new IllegalArgumentException("no cursor given");
        }
        return result;
    }
}
