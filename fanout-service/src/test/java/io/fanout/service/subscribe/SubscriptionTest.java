package io.fanout.service.subscribe;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.springframework.util.unit.DataSize;

/**
 * The catch-up state machine of one subscription, with the live consumer and the log readers played by the test:
 * hand-over to live with no gap, falling back to the log instead of closing, skipping duplicates, the bounds, and
 * the references of the shared frame bytes it holds.
 */
class SubscriptionTest {

    private static final ByteBufAllocator ALLOCATOR = UnpooledByteBufAllocator.DEFAULT;
    private static final String CHANNEL = "c";
    private static final OriginPartition P0 = new OriginPartition("r1", 0);
    private static final PartitionCursor NO_CURSOR = new PartitionCursor(0, Map.of());

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final Dispatcher dispatcher = new Dispatcher(registry);
    private final RecordingLogs logs = new RecordingLogs();
    private final List<LiveFrame> made = new ArrayList<>();

    /** The log readers: remembers what was asked, answers when the test says. */
    private static final class RecordingLogs implements LogSource {

        final List<LogReadRequest> reads = new ArrayList<>();
        int plans;

        @Override
        public void plan(Subscription subscription, SubscribeRequest request) {
            plans++;
        }

        @Override
        public void read(Subscription subscription, LogReadRequest request) {
            reads.add(request);
        }
    }

    private Subscription subscription(Cursor cursor, int bufferSize, long maxLag) {
        return subscription(cursor, Map.of(), bufferSize, maxLag, List.of(CHANNEL));
    }

    private Subscription subscription(Cursor cursor, Map<ChannelOrigin, Long> lastSeqs, int bufferSize, long maxLag) {
        return subscription(cursor, lastSeqs, bufferSize, maxLag, List.of(CHANNEL));
    }

    private Subscription subscription(Cursor cursor, int bufferSize, long maxLag, List<String> channels) {
        return subscription(cursor, Map.of(), bufferSize, maxLag, channels);
    }

    private Subscription subscription(
            Cursor cursor, Map<ChannelOrigin, Long> lastSeqs, int bufferSize, long maxLag, List<String> channels) {
        SubscribeProperties properties = new SubscribeProperties(
                bufferSize, DataSize.ofMegabytes(8), DataSize.ofMegabytes(64), maxLag, 10, 100, Duration.ofSeconds(10));
        Subscription subscription = new Subscription(
                "r1",
                channels,
                cursor,
                lastSeqs,
                properties,
                dispatcher,
                logs,
                new SessionMeters(registry, properties),
                0);
        subscription.drainWith(() -> {}, new SubscribeRequest(channels, cursor));
        return subscription;
    }

    /** The live consumer answering waiting requests at position {@code liveFrom} of the one partition. */
    private void grant(long pollStart, long liveFrom, EventFrame... pollFrames) {
        dispatcher.serveLiveRequests(Map.of(P0, liveFrom), Map.of(P0, pollStart), channels -> List.of(pollFrames));
    }

    private static EventFrame event(long offset) {
        return EventFrame.of(CHANNEL, "r1", 0, offset, 0, "id-" + offset, NO_CURSOR, 0L, Long.toString(offset));
    }

    private static EventFrame sequenced(long offset, long seq) {
        return EventFrame.of(CHANNEL, "r1", 0, offset, 0, "id-" + offset, NO_CURSOR, seq, Long.toString(offset));
    }

    /** Everything the subscription has to send now, as JSON text. */
    private static List<String> drainJson(Subscription subscription) {
        List<String> sent = new ArrayList<>();
        Frame frame;
        while ((frame = subscription.poll()) != null) {
            sent.add(new String(frame.json(), StandardCharsets.UTF_8));
            if (frame instanceof LiveFrame live) {
                live.release();
            }
        }
        return sent;
    }

    private LiveFrame live(long offset) {
        LiveFrame frame = LiveFrame.encode(event(offset), ALLOCATOR);
        made.add(frame);
        return frame;
    }

    /** Everything the subscription has to send now: event offsets, and control frames by type. */
    private static List<String> drain(Subscription subscription) {
        List<String> sent = new ArrayList<>();
        Frame frame;
        while ((frame = subscription.poll()) != null) {
            if (frame instanceof LiveFrame live) {
                sent.add("live:" + live.frame().offset());
                live.release();
            } else if (frame instanceof EventFrame event) {
                sent.add("log:" + event.offset());
            } else {
                String json = new String(frame.json(), StandardCharsets.UTF_8);
                sent.add(json.substring(json.indexOf(":\"") + 2, json.indexOf('"', json.indexOf(":\"") + 2)));
            }
        }
        return sent;
    }

    @Test
    void shouldStartALiveSessionAtThePollUnderWayWithItsEventsSoNothingFetchedMeanwhileIsLost() {
        Subscription subscription = subscription(new Cursor.Live(), 4, 1_000);
        assertThat(drain(subscription))
                .as("nothing before the live consumer answered")
                .isEmpty();
        grant(8, 10, event(8), event(9));
        assertThat(drain(subscription)).containsExactly("subscribed", "log:8", "log:9");
        assertThat(subscription.state()).isEqualTo(Subscription.State.LIVE);
        assertThat(subscription.offer(live(10))).isTrue();
        assertThat(drain(subscription)).containsExactly("live:10");
        assertThat(subscription.position()).containsEntry(P0, 11L);
        assertThat(logs.reads).as("a live-only session costs no log read").isEmpty();
        subscription.end();
        releaseMadeAndAssertAllFreed();
    }

    @Test
    void shouldCarryTheCursorOfTheLastEventItSentAndTheMarksOfTheLogItReadIntoItsReadRequests() {
        Subscription subscription = subscription(new Cursor.Live(), 4, 1_000);
        PartitionCursor.Mark seventh = new PartitionCursor.Mark(7_000, "id-7");
        PartitionCursor.Mark mirrored = new PartitionCursor.Mark(6_500, "mirrored");
        PartitionCursor after = new PartitionCursor(0, Map.of("r1", seventh, "r2", mirrored));
        grant(7, 7, EventFrame.of(CHANNEL, "r1", 0, 7, 7_000, "id-7", after, 0L, "7"));
        assertThat(drain(subscription)).containsExactly("subscribed", "log:7");
        assertThat(subscription.cursorText()).isEqualTo(after.encode());
        assertThat(Cursor.Resume.class)
                .isAssignableFrom(SubscribeRequestParser.resume(List.of(subscription.cursorText()))
                        .getClass());
        // it falls behind: the read it asks for carries what it knows of the partition
        subscription.setClientBlocked(true);
        for (long offset = 8; offset < 13; offset++) {
            subscription.offer(live(offset));
        }
        drain(subscription);
        LogReadRequest read = logs.reads.get(logs.reads.size() - 1);
        assertThat(read.marks()).containsEntry(P0, seventh);
        // the batch's marks are where the stream is once it has sent the batch
        PartitionCursor.Mark twelfth = new PartitionCursor.Mark(12_000, "id-12");
        subscription.logRead(new LogBatch(List.of(), List.of(), Map.of(P0, 13L), Map.of(P0, twelfth), true, 0));
        drain(subscription);
        assertThat(subscription.cursorText())
                .isEqualTo(new PartitionCursor(0, Map.of("r1", twelfth, "r2", mirrored)).encode());
        subscription.end();
        releaseMadeAndAssertAllFreed();
    }

    @Test
    void shouldHaveACursorForItsPartitionBeforeItsFirstEventFromTheLiveConsumersMarks() {
        Subscription subscription = subscription(new Cursor.Live(), 4, 1_000);
        PartitionCursor.Mark before = new PartitionCursor.Mark(4_000, "id-before");
        dispatcher.serveLiveRequests(Map.of(P0, 5L), Map.of(P0, 5L), channels -> List.of(), () -> Map.of(P0, before));
        assertThat(drain(subscription)).containsExactly("subscribed");
        assertThat(subscription.cursorText()).isEqualTo(new PartitionCursor(0, Map.of("r1", before)).encode());
        subscription.end();
    }

    @Test
    void shouldGiveTheStreamsCursorInTheSubscribedFrameWhenTheLiveConsumerKnowsTheMarks() {
        Subscription subscription = subscription(new Cursor.Live(), 4, 1_000);
        PartitionCursor.Mark before = new PartitionCursor.Mark(4_000, "id-before");
        dispatcher.serveLiveRequests(Map.of(P0, 5L), Map.of(P0, 5L), channels -> List.of(), () -> Map.of(P0, before));
        Frame first = subscription.poll();
        String cursor = new PartitionCursor(0, Map.of("r1", before)).encode();
        assertThat(new String(first.json(), StandardCharsets.UTF_8))
                .isEqualTo("{\"type\":\"subscribed\",\"channels\":[\"c\"],\"position\":\"0:5\",\"cursor\":\"" + cursor
                        + "\"}");
        subscription.end();
    }

    @Test
    void shouldKeepItsCursorTextEqualToEveryPartitionsMarksEncodedWhileEventsOfSeveralPartitionsAndOriginsPass() {
        String inZero = channelIn(0);
        String inOne = channelIn(1);
        Subscription subscription = subscription(new Cursor.Live(), 64, 1_000, List.of(inZero, inOne));
        OriginPartition r1p0 = new OriginPartition("r1", 0);
        OriginPartition r1p1 = new OriginPartition("r1", 1);
        OriginPartition r2p0 = new OriginPartition("r2", 0);
        OriginPartition r2p1 = new OriginPartition("r2", 1);
        Map<OriginPartition, Long> at = Map.of(r1p0, 5L, r1p1, 5L, r2p0, 3L, r2p1, 3L);
        PartitionCursor.Mark a = new PartitionCursor.Mark(4_000, "a");
        PartitionCursor.Mark b = new PartitionCursor.Mark(4_100, "b");
        // the live consumer knows r2 in partition 0 only (nothing of it read yet), nothing of r2 in partition 1
        dispatcher.serveLiveRequests(
                at, at, channels -> List.of(), () -> Map.of(r1p0, a, r1p1, b, r2p0, PartitionCursor.Mark.BEGINNING));
        Map<Integer, Map<String, PartitionCursor.Mark>> expected = new java.util.TreeMap<>();
        expected.put(0, new java.util.TreeMap<>(Map.of("r1", a, "r2", PartitionCursor.Mark.BEGINNING)));
        expected.put(1, new java.util.TreeMap<>(Map.of("r1", b)));
        String subscribed = new String(subscription.poll().json(), StandardCharsets.UTF_8);
        assertThat(subscribed).endsWith(",\"cursor\":\"" + joined(expected) + "\"}");
        assertThat(drain(subscription)).isEmpty();
        assertThat(subscription.state()).isEqualTo(Subscription.State.LIVE);

        long[] next = {5, 5};
        long[] nextOfR2 = {3, 3};
        for (int i = 0; i < 12; i++) {
            int partition = i % 2;
            boolean fromR2 = i % 3 == 2;
            String origin = fromR2 ? "r2" : "r1";
            long offset = fromR2 ? nextOfR2[partition]++ : next[partition]++;
            PartitionCursor.Mark mark = new PartitionCursor.Mark(5_000 + i, "e" + i);
            // what the live consumer writes: every origin it knows in the partition; here only the event's own
            // origin and, in partition 1 from event 6 on, r2's beginning too
            Map<String, PartitionCursor.Mark> carried = new java.util.TreeMap<>(expected.get(partition));
            carried.keySet().retainAll(partition == 1 && i >= 6 ? Set.of("r1", "r2") : Set.of(origin));
            carried.put(origin, mark);
            if (partition == 1 && i >= 6) {
                carried.putIfAbsent("r2", PartitionCursor.Mark.BEGINNING);
            }
            expected.get(partition).putAll(carried);
            EventFrame event = EventFrame.of(
                    partition == 0 ? inZero : inOne,
                    origin,
                    partition,
                    offset,
                    5_000 + i,
                    "e" + i,
                    new PartitionCursor(partition, carried),
                    0,
                    Integer.toString(i));
            LiveFrame frame = LiveFrame.encode(event, ALLOCATOR);
            made.add(frame);
            assertThat(subscription.offer(frame)).isTrue();
            assertThat(drain(subscription)).containsExactly("live:" + offset);
            assertThat(subscription.cursorText()).as("after event %s", i).isEqualTo(joined(expected));
            assertThat(subscription.cursorText())
                    .as("asked again before anything changed: the same text")
                    .isSameAs(subscription.cursorText());
        }
        subscription.end();
        releaseMadeAndAssertAllFreed();
    }

    private static String joined(Map<Integer, Map<String, PartitionCursor.Mark>> marks) {
        return marks.entrySet().stream()
                .map(entry -> new PartitionCursor(entry.getKey(), entry.getValue()).encode())
                .collect(java.util.stream.Collectors.joining(","));
    }

    /** A channel name that {@link io.fanout.schemas.Topics#partitionOf} places in {@code partition} of two. */
    private static String channelIn(int partition) {
        for (int i = 0; ; i++) {
            String channel = "c" + i;
            if (io.fanout.schemas.Topics.partitionOf(channel, 2) == partition) {
                return channel;
            }
        }
    }

    @Test
    void shouldSayWhereTheStreamStartsInTheSubscribedFrame() {
        Subscription subscription = subscription(new Cursor.Live(), 4, 1_000);
        grant(42, 42);
        Frame first = subscription.poll();
        assertThat(new String(first.json(), StandardCharsets.UTF_8))
                .isEqualTo("{\"type\":\"subscribed\",\"channels\":[\"c\"],\"position\":\"0:42\"}");
        subscription.end();
    }

    @Test
    void shouldDropItsBufferAndCatchUpFromTheLogInsteadOfClosingThenGoLiveAgainLosingAndRepeatingNothing() {
        Subscription subscription = subscription(new Cursor.Live(), 4, 1_000);
        grant(10, 10);
        drain(subscription);
        subscription.setClientBlocked(true); // the socket takes no more
        for (long offset = 10; offset < 14; offset++) {
            assertThat(subscription.offer(live(offset))).isTrue();
        }
        assertThat(subscription.offer(live(14)))
                .as("the fifth passes the bound")
                .isFalse();
        assertThat(subscription.offer(live(15))).as("no grant any more").isFalse();
        assertThat(subscription.ended()).isFalse();

        assertThat(drain(subscription)).containsExactly("catching-up");
        assertThat(subscription.state()).isEqualTo(Subscription.State.READING_LOG);
        assertThat(logs.reads).hasSize(1);
        assertThat(logs.reads.get(0).from()).containsEntry(P0, 10L);
        assertThat(logs.reads.get(0).upTo())
                .as("no live position: read to the log end")
                .isNull();

        subscription.logRead(
                new LogBatch(List.of(), List.of(event(10), event(11), event(12)), Map.of(P0, 13L), Map.of(), false, 7));
        assertThat(drain(subscription)).containsExactly("log:10", "log:11", "log:12");
        assertThat(logs.reads).hasSize(2);
        assertThat(logs.reads.get(1).from()).containsEntry(P0, 13L);
        subscription.logRead(new LogBatch(
                List.of(), List.of(event(13), event(14), event(15), event(16)), Map.of(P0, 17L), Map.of(), true, 0));
        assertThat(drain(subscription)).containsExactly("log:13", "log:14", "log:15", "log:16");
        assertThat(dispatcher.hasLiveRequests())
                .as("at the log end it asks for live frames")
                .isTrue();

        grant(17, 18); // the live consumer is one record further: 17 still comes from the log
        assertThat(drain(subscription)).isEmpty();
        assertThat(logs.reads.get(2).from()).containsEntry(P0, 17L);
        assertThat(logs.reads.get(2).upTo()).containsEntry(P0, 18L);
        assertThat(subscription.offer(live(18))).isTrue();
        subscription.logRead(new LogBatch(List.of(), List.of(event(17)), Map.of(P0, 18L), Map.of(), true, 0));
        assertThat(drain(subscription)).containsExactly("log:17", "live", "live:18");
        assertThat(subscription.state()).isEqualTo(Subscription.State.LIVE);
        subscription.end();
        releaseMadeAndAssertAllFreed();
    }

    @Test
    void shouldStartFromItsFirstGrantEvenWhenItsBufferOverflowedBeforeItsDrainRan() {
        Subscription subscription = subscription(new Cursor.Live(), 2, 1_000);
        grant(0, 0);
        assertThat(subscription.offer(live(0))).isTrue();
        assertThat(subscription.offer(live(1))).isTrue();
        assertThat(subscription.offer(live(2))).isFalse();
        assertThat(drain(subscription)).containsExactly("subscribed");
        assertThat(dispatcher.hasLiveRequests()).as("it asks again").isTrue();
        grant(3, 3);
        assertThat(drain(subscription)).isEmpty();
        assertThat(logs.reads.get(0).from()).containsEntry(P0, 0L);
        assertThat(logs.reads.get(0).upTo()).containsEntry(P0, 3L);
        subscription.logRead(
                new LogBatch(List.of(), List.of(event(0), event(1), event(2)), Map.of(P0, 3L), Map.of(), true, 0));
        assertThat(subscription.offer(live(3))).isTrue();
        assertThat(drain(subscription)).containsExactly("log:0", "log:1", "log:2", "live:3");
        subscription.end();
        releaseMadeAndAssertAllFreed();
    }

    @Test
    void shouldSkipLiveFramesTheLogAlreadySent() {
        Subscription subscription = subscription(new Cursor.FromOffset(0), 10, 1_000);
        grant(5, 5); // the live consumer is behind where the history will end
        for (long offset = 5; offset < 9; offset++) {
            subscription.offer(live(offset));
        }
        subscription.planned(new StartPlan(Map.of(P0, 0L), Map.of(), Map.of(), List.of()));
        assertThat(drain(subscription)).containsExactly("subscribed");
        assertThat(logs.reads.get(0).upTo()).containsEntry(P0, 5L);
        subscription.logRead(new LogBatch(List.of(), List.of(event(3), event(4)), Map.of(P0, 5L), Map.of(), false, 3));
        assertThat(drain(subscription)).containsExactly("log:3", "log:4", "live:5", "live:6", "live:7", "live:8");
        subscription.end();
        releaseMadeAndAssertAllFreed();
    }

    @Test
    void shouldSendOnlyTheExactLastOffsetsThenEverythingAfterTheirEnd() {
        Subscription subscription = subscription(new Cursor.Last(2), 10, 1_000);
        subscription.planned(new StartPlan(Map.of(P0, 20L), Map.of(P0, List.of(20L, 31L)), Map.of(P0, 40L), List.of()));
        assertThat(drain(subscription)).containsExactly("subscribed");
        assertThat(logs.reads.get(0).exact()).containsEntry(P0, List.of(20L, 31L));
        subscription.logRead(new LogBatch(List.of(), List.of(event(20)), Map.of(P0, 31L), Map.of(), false, 10));
        assertThat(drain(subscription)).containsExactly("log:20");
        assertThat(logs.reads.get(1).exact()).containsEntry(P0, List.of(31L));
        subscription.logRead(new LogBatch(List.of(), List.of(event(31)), Map.of(P0, 40L), Map.of(), false, 2));
        assertThat(drain(subscription)).containsExactly("log:31");
        assertThat(logs.reads.get(2).exact()).isEmpty();
        assertThat(logs.reads.get(2).from()).containsEntry(P0, 40L);
        subscription.end();
    }

    @Test
    void shouldSendTruncationNoticesBeforeTheEventsOfTheirBatch() {
        Subscription subscription = subscription(new Cursor.FromOffset(0), 10, 1_000);
        subscription.planned(new StartPlan(Map.of(P0, 0L), Map.of(), Map.of(), List.of()));
        drain(subscription);
        subscription.logRead(new LogBatch(
                List.of(TruncationNotice.ofOffset(0, 0, 50)), List.of(event(50)), Map.of(P0, 51L), Map.of(), false, 1));
        assertThat(drain(subscription)).containsExactly("truncated", "log:50");
        subscription.end();
    }

    @Test
    void shouldCountExactlyWhatRetentionTookOfAChannelRightBeforeItsFirstKeptEvent() {
        Subscription subscription =
                subscription(new Cursor.FromOffset(0), Map.of(new ChannelOrigin(CHANNEL, "r1"), 40L), 10, 1_000);
        subscription.planned(new StartPlan(Map.of(P0, 0L), Map.of(), Map.of(), List.of()));
        drain(subscription);
        subscription.logRead(new LogBatch(
                List.of(TruncationNotice.ofOffset(0, 0, 50)),
                List.of(sequenced(50, 46), sequenced(51, 47)),
                Map.of(P0, 52L),
                Map.of(),
                false,
                1));
        List<String> sent = drainJson(subscription);
        assertThat(sent).hasSize(4);
        assertThat(sent.get(0)).isEqualTo("{\"type\":\"truncated\",\"partition\":0,\"requested\":0,\"earliest\":50}");
        assertThat(sent.get(1))
                .isEqualTo(
                        "{\"type\":\"truncated\",\"channel\":\"" + CHANNEL
                                + "\",\"origin\":\"r1\",\"partition\":0,\"requested\":0,\"earliest\":50,\"firstSeq\":46,\"lost\":5}");
        assertThat(sent.get(2)).contains("\"offset\":50").contains("\"seq\":46");
        assertThat(sent.get(3)).contains("\"offset\":51").contains("\"seq\":47");
        subscription.end();
    }

    @Test
    void shouldCountWhatALaterTruncationTookFromTheLastSeqTheSessionSent() {
        Subscription subscription = subscription(new Cursor.FromOffset(0), 10, 1_000);
        subscription.planned(new StartPlan(Map.of(P0, 0L), Map.of(), Map.of(), List.of()));
        drain(subscription);
        subscription.logRead(
                new LogBatch(List.of(), List.of(sequenced(3, 1), sequenced(4, 2)), Map.of(P0, 5L), Map.of(), false, 1));
        assertThat(drain(subscription)).containsExactly("log:3", "log:4");
        subscription.logRead(new LogBatch(
                List.of(TruncationNotice.ofOffset(0, 5, 90)),
                List.of(sequenced(95, 30)),
                Map.of(P0, 96L),
                Map.of(),
                false,
                1));
        List<String> sent = drainJson(subscription);
        assertThat(sent).hasSize(3);
        assertThat(sent.get(1)).contains("\"firstSeq\":30,\"lost\":27");
        subscription.end();
    }

    @Test
    void shouldGiveTheFirstKeptSeqWithoutALostCountWhenTheClientsLastSeqIsUnknown() {
        Subscription subscription = subscription(new Cursor.FromOffset(0), 10, 1_000);
        subscription.planned(new StartPlan(Map.of(P0, 0L), Map.of(), Map.of(), List.of()));
        drain(subscription);
        subscription.logRead(new LogBatch(
                List.of(TruncationNotice.ofOffset(0, 0, 50)),
                List.of(sequenced(50, 46), event(51)),
                Map.of(P0, 52L),
                Map.of(),
                false,
                1));
        List<String> sent = drainJson(subscription);
        assertThat(sent).hasSize(4);
        assertThat(sent.get(1)).endsWith("\"firstSeq\":46}");
        assertThat(sent.get(3)).doesNotContain("\"seq\"");
        subscription.end();
    }

    @Test
    void shouldSendAChannelsTruncationNoticeBeforeItsFirstLiveEventWhenTheLogKeptNoneOfIt() {
        Subscription subscription =
                subscription(new Cursor.FromOffset(0), Map.of(new ChannelOrigin(CHANNEL, "r1"), 9L), 10, 1_000);
        subscription.planned(new StartPlan(Map.of(P0, 0L), Map.of(), Map.of(), List.of()));
        drain(subscription);
        subscription.logRead(new LogBatch(
                List.of(TruncationNotice.ofOffset(0, 0, 50)), List.of(), Map.of(P0, 60L), Map.of(), true, 0));
        assertThat(drain(subscription)).containsExactly("truncated");
        grant(60, 60);
        drain(subscription);
        assertThat(subscription.state()).isEqualTo(Subscription.State.LIVE);
        LiveFrame frame = LiveFrame.encode(sequenced(60, 12), ALLOCATOR);
        made.add(frame);
        assertThat(subscription.offer(frame)).isTrue();
        List<String> sent = drainJson(subscription);
        assertThat(sent).hasSize(2);
        assertThat(sent.get(0)).contains("\"firstSeq\":12,\"lost\":2");
        assertThat(sent.get(1)).contains("\"seq\":12");
        subscription.end();
        releaseMadeAndAssertAllFreed();
    }

    @Test
    void shouldCloseASessionFurtherBehindThanMaxLag() {
        Subscription subscription = subscription(new Cursor.FromOffset(0), 10, 100);
        subscription.planned(new StartPlan(Map.of(P0, 0L), Map.of(), Map.of(), List.of()));
        drain(subscription);
        subscription.logRead(new LogBatch(List.of(), List.of(event(0)), Map.of(P0, 1L), Map.of(), false, 101));
        drain(subscription);
        assertThat(subscription.ended()).isTrue();
        SessionEnd end = subscription.endedByServer().block(Duration.ofSeconds(1));
        assertThat(end.reason()).isEqualTo(SessionEnd.Reason.TOO_FAR_BEHIND);
        assertThat(end.detail().getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(123);
    }

    @Test
    void shouldTakeABurstLargerThanItsBufferWhileItsClientKeepsUp() {
        Subscription subscription = subscription(new Cursor.Live(), 4, 1_000);
        grant(0, 0);
        drain(subscription);
        subscription.setClientBlocked(false);
        for (int i = 0; i < 4 * Subscription.KEEPING_UP_FACTOR; i++) {
            assertThat(subscription.offer(live(i))).as("frame %d", i).isTrue();
        }
        assertThat(subscription.offer(live(99))).isFalse();
        subscription.end();
        releaseMadeAndAssertAllFreed();
    }

    @Test
    void shouldReleaseWhatItHoldsWhenItEnds() {
        Subscription subscription = subscription(new Cursor.Live(), 10, 1_000);
        grant(0, 0);
        subscription.offer(live(0));
        subscription.offer(live(1));
        subscription.end();
        assertThat(subscription.offer(live(2))).isFalse();
        assertThat(dispatcher.size()).isZero();
        releaseMadeAndAssertAllFreed();
    }

    @Test
    void shouldEncodeAnUnmaskedTextFrame() {
        LiveFrame small = live(7);
        byte[] json = small.frame().json();
        assertThat(small.webSocketFrame().getUnsignedByte(0)).isEqualTo((short) 0x81);
        assertThat(small.webSocketFrame().getUnsignedByte(1)).isEqualTo((short) json.length); // < 126, no mask bit
        assertThat(small.webSocketFrame().toString(2, json.length, StandardCharsets.UTF_8))
                .isEqualTo(small.frame().text());

        LiveFrame large = LiveFrame.encode(
                EventFrame.of("c", "r1", 0, 1, 0, "id", NO_CURSOR, 0L, "\"" + "x".repeat(300) + "\""), ALLOCATOR);
        made.add(large);
        int length = large.frame().json().length;
        assertThat(large.webSocketFrame().getUnsignedByte(1)).isEqualTo((short) 126);
        assertThat(large.webSocketFrame().getUnsignedShort(2)).isEqualTo(length);
        assertThat(large.webSocketFrame().readableBytes()).isEqualTo(4 + length);
        releaseMadeAndAssertAllFreed();
    }

    private void releaseMadeAndAssertAllFreed() {
        for (LiveFrame frame : made) {
            frame.release(); // the dispatcher's own reference
            assertThat(frame.webSocketFrame().refCnt())
                    .as("references left of frame %s", frame.frame().offset())
                    .isZero();
        }
        made.clear();
    }
}
