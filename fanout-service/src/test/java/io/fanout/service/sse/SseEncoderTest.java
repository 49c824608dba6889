package io.fanout.service.sse;

import static org.assertj.core.api.Assertions.assertThat;

import io.fanout.service.subscribe.ControlFrame;
import io.fanout.service.subscribe.EventFrame;
import io.fanout.service.subscribe.Frame;
import io.fanout.service.subscribe.LiveFrame;
import io.fanout.service.subscribe.PartitionCursor;
import io.fanout.service.subscribe.TruncationNotice;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.core.ResolvableType;
import org.springframework.http.MediaType;
import org.springframework.http.codec.ServerSentEvent;
import org.springframework.http.codec.ServerSentEventHttpMessageWriter;
import org.springframework.mock.http.server.reactive.MockServerHttpResponse;
import reactor.core.publisher.Mono;

/** The hand-written SSE bytes are, byte for byte, what Spring's SSE writer writes for the same event. */
class SseEncoderTest {

    private static final UnpooledByteBufAllocator ALLOCATOR = new UnpooledByteBufAllocator(false);
    private static final Duration RETRY = Duration.ofMillis(1500);
    private static final String ID = "3:1235,7:88";
    private static final PartitionCursor CURSOR = PartitionCursor.parse("1.3.r1~m3xk1o9c~ufZ9sLht6TX6aUww_WxwtTg");

    private final SseEncoder encoder = new SseEncoder(RETRY);

    @Test
    void shouldWriteALiveEventAsSpringWritesIt() {
        EventFrame event =
                EventFrame.of("orders", "r1", 3, 1234, 1764028800000L, "id-1", CURSOR, 0L, "{\"text\":\"é \\n x\"}");
        LiveFrame live = LiveFrame.encode(event, ALLOCATOR);
        try {
            assertThat(live.multiLine()).isFalse();
            assertThat(encoded(live, ID)).isEqualTo(spring(message(event)));
        } finally {
            live.release();
        }
        assertThat(live.webSocketFrame().refCnt()).isZero();
    }

    @Test
    void shouldCopyTheEventsOwnCursorAsItsIdFromItsJson() {
        for (String eventId : List.of("id-1", "é-\u20ac-\uD83D\uDE00", "quote\"d")) {
            EventFrame event = EventFrame.of("orders", "r1", 3, 1234, 0, eventId, CURSOR, 0L, "{\"text\":\"ü\"}");
            LiveFrame live = LiveFrame.encode(event, ALLOCATOR);
            try {
                assertThat(encoded(live, event.cursorText()))
                        .as("event id %s", eventId)
                        .isEqualTo(spring(message(event, CURSOR.encode())))
                        .startsWith("id:" + CURSOR.encode() + "\n");
            } finally {
                live.release();
            }
        }
    }

    @Test
    void shouldWriteEveryLineOfAMultiLineMessageAsItsOwnDataField() {
        EventFrame event = EventFrame.of("orders", "r1", 3, 1234, 0, "id-1", CURSOR, 0L, "{\n  \"a\": 1\n}");
        LiveFrame live = LiveFrame.encode(event, ALLOCATOR);
        try {
            assertThat(live.multiLine()).isTrue();
            assertThat(encoded(live, ID)).isEqualTo(spring(message(event))).contains("\ndata:  \"a\": 1\n");
        } finally {
            live.release();
        }
    }

    @Test
    void shouldWriteEventsOneAfterAnotherIntoOneBuffer() {
        EventFrame first = EventFrame.of("orders", "r1", 3, 1, 0, "a", CURSOR, 0L, "1");
        EventFrame second = EventFrame.of("orders", "r1", 3, 2, 0, "b", CURSOR, 0L, "2");
        LiveFrame live = LiveFrame.encode(second, ALLOCATOR);
        ByteBuf out = ALLOCATOR.buffer();
        try {
            encoder.append(first, "3:2", out);
            encoder.append(live, "3:3", out);
            assertThat(out.toString(StandardCharsets.UTF_8))
                    .isEqualTo(spring(message(first, "3:2")) + spring(message(second, "3:3")));
        } finally {
            out.release();
            live.release();
        }
    }

    @Test
    void shouldWriteAnEventReadFromTheLogAsSpringWritesIt() {
        EventFrame event = EventFrame.of("orders", "r1", 7, 87, 1, "id-2", CURSOR, 0L, "[1,2]");
        assertThat(encoded(event, ID)).isEqualTo(spring(message(event)));
    }

    @Test
    void shouldWriteControlFramesAsNamedEventsWithoutId() {
        ControlFrame live = ControlFrame.live("3:10");
        assertThat(encoded(live, ID))
                .isEqualTo(spring(ServerSentEvent.<String>builder(text(live))
                        .event("live")
                        .build()));
        TruncationNotice notice = TruncationNotice.ofOffset(3, 10, 20);
        assertThat(encoded(notice, ID))
                .isEqualTo(spring(ServerSentEvent.<String>builder(text(notice))
                        .event("truncated")
                        .build()));
    }

    @Test
    void shouldWriteNothingForTheSubscribedFrame() {
        ByteBuf out = ALLOCATOR.buffer();
        try {
            assertThat(encoder.append(ControlFrame.subscribed(List.of("orders"), "", ""), ID, out))
                    .isFalse();
            assertThat(out.isReadable()).isFalse();
        } finally {
            out.release();
        }
    }

    private ServerSentEvent<String> message(EventFrame event) {
        return message(event, ID);
    }

    private ServerSentEvent<String> message(EventFrame event, String id) {
        return ServerSentEvent.<String>builder(event.text())
                .id(id)
                .event("message")
                .retry(RETRY)
                .build();
    }

    private String encoded(Frame frame, String id) {
        ByteBuf bytes = ALLOCATOR.buffer();
        try {
            bytes.writeCharSequence("(before)", StandardCharsets.US_ASCII);
            assertThat(encoder.append(frame, id, bytes)).isTrue();
            bytes.skipBytes("(before)".length()); // appended after what the buffer held
            return bytes.toString(StandardCharsets.UTF_8);
        } finally {
            bytes.release();
        }
    }

    private static String text(Frame frame) {
        return new String(frame.json(), StandardCharsets.UTF_8);
    }

    private static String spring(ServerSentEvent<String> event) {
        MockServerHttpResponse response = new MockServerHttpResponse();
        new ServerSentEventHttpMessageWriter()
                .write(
                        Mono.just(event),
                        ResolvableType.forClass(ServerSentEvent.class),
                        MediaType.TEXT_EVENT_STREAM,
                        response,
                        Map.of())
                .block();
        return response.getBodyAsString().block();
    }
}
