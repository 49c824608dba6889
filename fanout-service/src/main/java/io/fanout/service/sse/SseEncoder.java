package io.fanout.service.sse;

import io.fanout.service.subscribe.ControlFrame;
import io.fanout.service.subscribe.EventFrame;
import io.fanout.service.subscribe.Frame;
import io.fanout.service.subscribe.LiveFrame;
import io.netty.buffer.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * Frames as Server-Sent Events bytes, field for field what Spring's {@code ServerSentEventHttpMessageWriter} writes
 * for the same {@code ServerSentEvent} ({@code id:}, {@code event:}, {@code retry:}, then {@code data:} lines and a
 * blank line). An event is {@code id:<position>\nevent:message\nretry:<ms>\ndata:<json>\n\n}: for a live frame
 * only the {@code id} is written per stream (copied from the event's JSON when it is the event's own cursor), the
 * rest is constant bytes and the event's JSON, built once for every session ({@link LiveFrame#json()}) and copied as
 * it is, never encoded again. Control frames are
 * {@code event:<type>\ndata:<json>\n\n}. Stateless, any thread.
 */
final class SseEncoder {

    private static final byte[] ID = "id:".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] END_OF_EVENT = "\n\n".getBytes(StandardCharsets.US_ASCII);

    private final String messageFields;
    private final byte[] messageFieldsAndData;

    SseEncoder(Duration retry) {
        this.messageFields = "\nevent:message\nretry:" + retry.toMillis() + "\n";
        this.messageFieldsAndData = (messageFields + "data:").getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * Appends the bytes of {@code frame} to {@code out}, for a stream whose position after it is {@code id}; returns
     * false, writing nothing, for a frame that is not sent ({@code subscribed}: the stream's first comment went out
     * with the response headers). Takes no reference of a {@link LiveFrame}: its owner still releases it.
     */
    boolean append(Frame frame, CharSequence id, ByteBuf out) {
        if (frame instanceof LiveFrame live && !live.multiLine()) {
            out.writeBytes(ID);
            EventFrame event = live.frame();
            if (id == event.cursorText()) { // the event's own cursor, as its JSON carries it
                out.writeBytes(
                        event.json(), event.cursorAt(), event.cursorText().length());
            } else {
                out.writeCharSequence(id, StandardCharsets.US_ASCII);
            }
            out.writeBytes(messageFieldsAndData);
            out.writeBytes(live.json());
            out.writeBytes(END_OF_EVENT);
            return true;
        }
        if (frame instanceof LiveFrame live) {
            return append(live.frame(), id, out);
        }
        if (frame instanceof EventFrame event) {
            out.writeCharSequence(
                    "id:" + id + messageFields + dataLines(event.json()) + "\n\n", StandardCharsets.UTF_8);
            return true;
        }
        String name = frame instanceof ControlFrame control ? control.type() : "truncated";
        if (name.equals("subscribed")) {
            return false;
        }
        out.writeCharSequence("event:" + name + "\n" + dataLines(frame.json()) + "\n\n", StandardCharsets.UTF_8);
        return true;
    }

    /** {@code data:} and the JSON, one {@code data:} field per line of it. */
    private static String dataLines(byte[] json) {
        String text = new String(json, StandardCharsets.UTF_8);
        return "data:" + text.replace("\r\n", "\n").replace('\r', '\n').replace("\n", "\ndata:");
    }
}
