package io.fanout.service.subscribe;

import io.fanout.service.subscribe.PartitionCursor.Mark;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import org.springframework.util.unit.DataSize;

/**
 * What an SSE stream's event {@code id} costs per event and session, without JMH: a live subscription takes
 * 200,000 live frames (offer, poll) and asks for its {@link Subscription#cursorText} after each, as the SSE writer
 * does; against that, the same frames with the text built the way it was before it was kept (per event: the marks put
 * per origin into a map, then the partitions of the tracked set collected, the marks grouped into tree maps, a
 * {@link PartitionCursor} built and encoded per partition, base64 of each id included). Streams of 1 channel with 1
 * origin (the bench's), 1 channel with 2 origins, and 10 channels in 10 partitions with 1 origin. Five rounds each.
 * Not a test; run it with {@code mvn -B -ntp -o -q -pl fanout-service -am test-compile} and
 * {@code java -cp fanout-service/target/classes:fanout-service/target/test-classes:<the module's test classpath>
 * io.fanout.service.subscribe.SseIdCostMeasure}. Uses standard output on purpose: it is a command-line measure.
 */
final class SseIdCostMeasure {

    private static final int EVENTS = 200_000;
    private static final int PARTITIONS = 12;

    private SseIdCostMeasure() {}

    public static void main(String[] args) {
        measure("1 channel, 1 origin", 1, 1);
        measure("1 channel, 2 origins", 1, 2);
        measure("10 channels, 1 origin", 10, 1);
    }

    private static void measure(String name, int channelCount, int origins) {
        List<String> channels = channels(channelCount);
        List<LiveFrame> frames = frames(channels, origins);
        for (int round = 0; round < 5; round++) {
            long kept = run(channels, frames, origins, false);
            long built = run(channels, frames, origins, true);
            System.out.printf(
                    "%s: kept %.0f ns per event, built per event %.0f ns (poll and advance included in both)%n",
                    name, (double) kept / EVENTS, (double) built / EVENTS);
        }
    }

    private static long run(List<String> channels, List<LiveFrame> frames, int origins, boolean buildPerEvent) {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        Dispatcher dispatcher = new Dispatcher(registry);
        SubscribeProperties limits = new SubscribeProperties(
                64, DataSize.ofMegabytes(8), DataSize.ofMegabytes(64), 1_000_000, 10, 100, Duration.ofSeconds(10));
        LogSource noLog = new LogSource() {
            @Override
            public void plan(Subscription subscription, SubscribeRequest request) {}

            @Override
            public void read(Subscription subscription, LogReadRequest request) {}
        };
        Subscription subscription = new Subscription(
                "r1", channels, new Cursor.Live(), limits, dispatcher, noLog, new SessionMeters(registry, limits), 0);
        subscription.drainWith(() -> {}, new SubscribeRequest(channels, new Cursor.Live()));
        Map<OriginPartition, Long> at = new HashMap<>();
        for (int p = 0; p < PARTITIONS; p++) {
            for (int o = 1; o <= origins; o++) {
                at.put(new OriginPartition("r" + o, p), 0L);
            }
        }
        dispatcher.serveLiveRequests(at, at, c -> List.of());
        while (subscription.poll() != null) {} // subscribed
        Set<OriginPartition> tracked = new HashSet<>(at.keySet());
        Map<OriginPartition, Mark> marks = new HashMap<>();
        long sink = 0;
        long start = System.nanoTime();
        for (int i = 0; i < EVENTS; i++) {
            LiveFrame frame = frames.get(i % frames.size());
            subscription.offer(frame);
            Frame polled = subscription.poll();
            String id;
            if (buildPerEvent) {
                EventFrame event = ((LiveFrame) polled).frame();
                event.cursor()
                        .marks()
                        .forEach((region, mark) -> marks.put(new OriginPartition(region, event.partition()), mark));
                id = builtText(tracked, marks);
            } else {
                id = subscription.cursorText();
            }
            sink += id.length();
            ((LiveFrame) polled).release();
        }
        long elapsed = System.nanoTime() - start;
        subscription.end();
        if (sink == 42) {
            System.out.println(sink);
        }
        return elapsed;
    }

    /** The stream's cursor text as it was built for every SSE event before it was kept. */
    private static String builtText(Set<OriginPartition> tracked, Map<OriginPartition, Mark> marks) {
        Set<Integer> partitions = new HashSet<>();
        tracked.forEach(partition -> partitions.add(partition.partition()));
        Map<Integer, Map<String, Mark>> byPartition = new TreeMap<>();
        marks.forEach((partition, mark) -> {
            if (partitions.contains(partition.partition())) {
                byPartition
                        .computeIfAbsent(partition.partition(), p -> new TreeMap<>())
                        .put(partition.origin(), mark);
            }
        });
        StringBuilder text = new StringBuilder();
        byPartition.forEach((partition, known) -> {
            if (!text.isEmpty()) {
                text.append(',');
            }
            text.append(new PartitionCursor(partition, known).encode());
        });
        return text.toString();
    }

    private static List<String> channels(int count) {
        List<String> channels = new ArrayList<>();
        Set<Integer> used = new HashSet<>();
        for (int i = 0; channels.size() < count; i++) {
            String channel = "bench-" + i;
            if (used.add(io.fanout.schemas.Topics.partitionOf(channel, PARTITIONS))) {
                channels.add(channel);
            }
        }
        return channels;
    }

    /**
     * Live frames as the live consumer makes them (each carrying every origin's mark of its partition), enough for
     * every event of a run, with offsets rising per origin partition; they are retained, never freed (the measure ends).
     */
    private static List<LiveFrame> frames(List<String> channels, int origins) {
        int count = EVENTS;
        List<LiveFrame> frames = new ArrayList<>(count);
        Map<OriginPartition, Long> next = new HashMap<>();
        long ts = System.currentTimeMillis();
        String message = "{\"bseq\":1,\"bsent\":123456789}";
        for (int i = 0; i < count; i++) {
            String channel = channels.get(i % channels.size());
            int partition = io.fanout.schemas.Topics.partitionOf(channel, PARTITIONS);
            String origin = "r" + (1 + i % origins);
            OriginPartition source = new OriginPartition(origin, partition);
            long offset = next.merge(source, 1L, Long::sum) - 1;
            Map<String, Mark> carried = new TreeMap<>();
            for (int o = 1; o <= origins; o++) {
                carried.put("r" + o, new Mark(ts + i, UUID.randomUUID().toString()));
            }
            EventFrame event = EventFrame.of(
                    channel,
                    origin,
                    partition,
                    offset,
                    ts + i,
                    UUID.randomUUID().toString(),
                    new PartitionCursor(partition, carried),
                    0,
                    message);
            frames.add(LiveFrame.encode(event, UnpooledByteBufAllocator.DEFAULT).retain());
        }
        return frames;
    }
}
