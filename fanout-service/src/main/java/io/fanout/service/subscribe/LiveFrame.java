package io.fanout.service.subscribe;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * A live event as the {@link Dispatcher} hands it to subscriptions: the {@link EventFrame}, and the same frame
 * encoded once as a complete WebSocket text frame. A server's frames are not masked, so those bytes are identical
 * for every session and each socket writes a duplicate of one shared buffer: no per-session copy or encoding. SSE
 * streams copy the event's JSON ({@link #json()}) behind their own {@code id:} line.
 *
 * <p>The buffer is reference counted: whoever holds a reference either writes {@link #webSocketFrame()}'s
 * {@code duplicate()} to a channel (the channel releases it) or calls {@link #release()}.
 *
 * @param multiLine whether the JSON holds a line break (whitespace between tokens, written by a producer other than
 *     fanout's), which an SSE {@code data:} field cannot carry as it is
 */
public record LiveFrame(EventFrame frame, ByteBuf webSocketFrame, boolean multiLine) implements Frame {

    private static final int FIN_TEXT = 0x81;

    /** Encodes {@code frame} as an unmasked, unfragmented WebSocket text frame (RFC 6455 §5.2). */
    public static LiveFrame encode(EventFrame frame, ByteBufAllocator allocator) {
        byte[] payload = frame.json();
        ByteBuf wire = allocator.directBuffer(wireLength(payload.length));
        appendTextFrame(wire, payload);
        return new LiveFrame(frame, wire, hasLineBreak(payload));
    }

    /** Appends {@code payload} to {@code wire} as an unmasked, unfragmented WebSocket text frame (RFC 6455 §5.2). */
    public static void appendTextFrame(ByteBuf wire, byte[] payload) {
        int length = payload.length;
        wire.ensureWritable(wireLength(length));
        if (length < 126) {
            wire.writeShort(FIN_TEXT << 8 | length);
        } else if (length <= 0xFFFF) {
            wire.writeShort(FIN_TEXT << 8 | 126).writeShort(length);
        } else {
            wire.writeShort(FIN_TEXT << 8 | 127).writeLong(length);
        }
        wire.writeBytes(payload);
    }

    /** How many bytes a text frame of {@code payloadLength} bytes takes on the wire. */
    public static int wireLength(int payloadLength) {
        return (payloadLength < 126 ? 2 : payloadLength <= 0xFFFF ? 4 : 10) + payloadLength;
    }

    @Override
    public byte[] json() {
        return frame.json();
    }

    private static boolean hasLineBreak(byte[] json) {
        for (byte b : json) {
            if (b == '\n' || b == '\r') {
                return true;
            }
        }
        return false;
    }

    /** Bytes this frame pins while it waits. */
    int size() {
        return webSocketFrame.capacity();
    }

    /** Takes one more reference, for one more holder. */
    LiveFrame retain() {
        webSocketFrame.retain();
        return this;
    }

    /** Gives up one reference without writing the frame. */
    public void release() {
        webSocketFrame.release();
    }
}
