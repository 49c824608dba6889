package io.fanout.service.subscribe;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocket08FrameEncoder;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Pins the hand-written WebSocket text frames to what Netty's server-side encoder writes for the same payload. */
class LiveFrameTest {

    @Test
    void shouldWriteWhatNettysEncoderWritesForEveryLengthForm() {
        for (int length : new int[] {0, 1, 125, 126, 127, 65_535, 65_536, 200_000}) {
            byte[] payload = new byte[length];
            Arrays.fill(payload, (byte) 'x');
            ByteBuf wire = Unpooled.buffer();
            LiveFrame.appendTextFrame(wire, payload);
            assertThat(ByteBufUtil.getBytes(wire)).as("%d bytes", length).isEqualTo(nettys(payload));
        }
    }

    @Test
    void shouldAppendFramesBackToBackIntoOneBuffer() {
        byte[] small = "{\"a\":1}".getBytes();
        byte[] large = new byte[300];
        Arrays.fill(large, (byte) 'y');
        ByteBuf wire = Unpooled.buffer(4); // grows as frames are appended
        LiveFrame.appendTextFrame(wire, small);
        LiveFrame.appendTextFrame(wire, large);
        LiveFrame.appendTextFrame(wire, small);
        byte[] expected = concat(nettys(small), nettys(large), nettys(small));
        assertThat(ByteBufUtil.getBytes(wire)).isEqualTo(expected);
    }

    private static byte[] nettys(byte[] payload) {
        EmbeddedChannel channel = new EmbeddedChannel(new WebSocket08FrameEncoder(false));
        channel.writeOutbound(new TextWebSocketFrame(Unpooled.wrappedBuffer(payload)));
        ByteBuf all = Unpooled.buffer();
        for (ByteBuf part; (part = channel.readOutbound()) != null; ) {
            all.writeBytes(part);
            part.release();
        }
        channel.finishAndReleaseAll();
        return ByteBufUtil.getBytes(all);
    }

    private static byte[] concat(byte[]... parts) {
        ByteBuf all = Unpooled.buffer();
        for (byte[] part : parts) {
            all.writeBytes(part);
        }
        return ByteBufUtil.getBytes(all);
    }
}
