package io.fanout.service.ws;

import static org.assertj.core.api.Assertions.assertThat;

import io.fanout.common.region.RegionProperties;
import io.fanout.schemas.Topics;
import io.fanout.service.subscribe.Cursor;
import io.fanout.service.subscribe.Dispatcher;
import io.fanout.service.subscribe.LogReadRequest;
import io.fanout.service.subscribe.LogSource;
import io.fanout.service.subscribe.OriginPartition;
import io.fanout.service.subscribe.SessionEnd;
import io.fanout.service.subscribe.SessionMeters;
import io.fanout.service.subscribe.StartPlan;
import io.fanout.service.subscribe.SubscribeProperties;
import io.fanout.service.subscribe.SubscribeRequest;
import io.fanout.service.subscribe.Subscription;
import io.fanout.service.subscribe.Subscriptions;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.util.unit.DataSize;
import org.springframework.web.reactive.socket.CloseStatus;

/**
 * One WebSocket session's writer on a Netty channel (an {@link EmbeddedChannel}: the same pipeline calls, run on the
 * test's thread), with log readers played by the test.
 */
class SocketWriterTest {

    private static final String CHANNEL = "c";
    private static final int PARTITIONS = 3;

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final SubscribeProperties properties = new SubscribeProperties(
            16, DataSize.ofMegabytes(8), DataSize.ofMegabytes(64), 1_000_000, 10, 100, Duration.ofSeconds(10));
    private final EmbeddedChannel channel = new EmbeddedChannel();

    /** Log readers that plan a start at the beginning of the channel's partition, then fail every read. */
    private static final class FailingLogs implements LogSource {

        @Override
        public void plan(Subscription subscription, SubscribeRequest request) {
            OriginPartition partition = new OriginPartition("r1", Topics.partitionOf(CHANNEL, PARTITIONS));
            subscription.planned(new StartPlan(Map.of(partition, 0L), Map.of(), Map.of(), List.of()));
        }

        @Override
        public void read(Subscription subscription, LogReadRequest request) {
            throw new IllegalStateException("the log readers failed");
        }
    }

    @AfterEach
    void releaseWhatWasWritten() {
        Object written;
        while ((written = channel.readOutbound()) != null) {
            ((ByteBuf) written).release();
        }
        channel.finishAndReleaseAll();
    }

    @Test
    void shouldFlushWhatItWroteAndCloseTheSessionWith1011WhenTakingItsNextFrameFails() {
        Subscriptions subscriptions = new Subscriptions(
                new Dispatcher(registry),
                new FailingLogs(),
                new SessionMeters(registry, properties),
                properties,
                () -> 0,
                new RegionProperties("r1", List.of()));
        SubscribeRequest request = new SubscribeRequest(List.of(CHANNEL), new Cursor.FromOffset(0));
        Subscription subscription = subscriptions.create(request);
        SocketWriter writer = new SocketWriter(channel, subscription);

        writer.start(request);
        channel.runPendingTasks(); // the writer's wake: the subscribed frame, then the failed read; throws nothing

        channel.checkException(); // nothing reached the pipeline, where Reactor Netty would close with a bare 1002
        ByteBuf first = channel.readOutbound();
        assertThat(first).as("the frame written before the failure, flushed").isNotNull();
        String text = first.toString(2, first.readableBytes() - 2, StandardCharsets.UTF_8); // after a 2-byte header
        first.release();
        assertThat(text).startsWith("{\"type\":\"subscribed\"");
        assertThat(subscription.ended()).isTrue();
        SessionEnd end = subscription.endedByServer().block(Duration.ofSeconds(1));
        assertThat(end).isEqualTo(new SessionEnd(SessionEnd.Reason.INTERNAL_ERROR, SocketWriter.FAILED));
        assertThat(EventsWebSocketHandler.closeStatus(end))
                .as("the close the session's pipeline sends for it")
                .isEqualTo(new CloseStatus(1011, SocketWriter.FAILED));
    }
}
