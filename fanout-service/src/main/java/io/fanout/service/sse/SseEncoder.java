package io.fanout.service.sse;

import io.fanout.service.subscribe.ControlFrame;
import io.fanout.service.subscribe.EventFrame;
import io.fanout.service.subscribe.Frame;
import io.fanout.service.subscribe.LiveFrame;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * Frames as Server-Sent Events bytes, field for field what Spring's {@code ServerSentEventHttpMessageWriter} writes
 * for the same {@code ServerSentEvent} ({@code id:}, {@code event:}, {@code retry:}, then {@code data:} lines and a
 * blank line). An event is {@code id:<position>\nevent:message\nretry:<ms>\ndata:<json>\n\n}: for a live frame only
 * the first part is written per stream, the JSON is a slice of the event's shared buffer ({@link LiveFrame#payload()}),
 * never copied or encoded again. Control frames are {@code event:<type>\ndata:<json>\n\n}. Stateless, any thread.
 */
final class SseEncoder {

    private static final ByteBuf END_OF_EVENT = Unpooled.unreleasableBuffer(
            Unpooled.directBuffer(2).writeBytes("\n\n".getBytes(StandardCharsets.US_ASCII)));

    private final String messageFields;

    SseEncoder(Duration retry) {
        this.messageFields = "\nevent:message\nretry:" + retry.toMillis() + "\n";
    }

    /**
     * The bytes of {@code frame} for a stream whose position after it is {@code id}; {@code null} for a frame that is
     * not sent ({@code subscribed}: the stream's first comment went out with the response headers). Takes no reference
     * of a {@link LiveFrame}: its owner still releases it.
     */
    ByteBuf encode(Frame frame, String id, ByteBufAllocator allocator) {
        if (frame instanceof LiveFrame live) {
            return live.multiLine() ? event(live.frame(), id, allocator) : live(live, id, allocator);
        }
        if (frame instanceof EventFrame event) {
            return event(event, id, allocator);
        }
        String name = frame instanceof ControlFrame control ? control.type() : "truncated";
        if (name.equals("subscribed")) {
            return null;
        }
        return ByteBufUtil.writeUtf8(allocator, "event:" + name + "\n" + dataLines(frame.json()) + "\n\n");
    }

    private ByteBuf live(LiveFrame live, String id, ByteBufAllocator allocator) {
        ByteBuf fields = ByteBufUtil.writeAscii(allocator, "id:" + id + messageFields + "data:");
        CompositeByteBuf event = allocator.compositeDirectBuffer(3);
        event.addComponents(true, fields, live.payload().retain(), END_OF_EVENT.duplicate());
        return event;
    }

    private ByteBuf event(EventFrame event, String id, ByteBufAllocator allocator) {
        return ByteBufUtil.writeUtf8(allocator, "id:" + id + messageFields + dataLines(event.json()) + "\n\n");
    }

    /** {@code data:} and the JSON, one {@code data:} field per line of it. */
    private static String dataLines(byte[] json) {
        String text = new String(json, StandardCharsets.UTF_8);
        return "data:" + text.replace("\r\n", "\n").replace('\r', '\n').replace("\n", "\ndata:");
    }
}
