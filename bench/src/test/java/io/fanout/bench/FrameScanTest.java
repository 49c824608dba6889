package io.fanout.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class FrameScanTest {

    private static final String FRAME = "{\"channel\":\"bench.ab.sat.3\",\"partition\":3,\"offset\":1234,"
            + "\"timestamp\":1732480000000,\"id\":\"9ea92a20-f563\",\"message\":{\"bseq\":42,\"bsent\":987654321,\"pad\":\"xx\"}}";

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void shouldCountAFrameOnceAndSpotDuplicatesAndOrder() {
        Tally t = new Tally();
        t.recordFrom = 0;
        Sub s = new Sub(3, b("bench.ab.sat.3"), t);
        byte[] a = b(FRAME);
        s.onFrame(a, a.length);
        s.onFrame(a, a.length);
        byte[] earlier = b(FRAME.replace("\"offset\":1234", "\"offset\":1200").replace("\"bseq\":42", "\"bseq\":41"));
        s.onFrame(earlier, earlier.length);
        assertEquals(2, t.deliveries.sum());
        assertEquals(1, s.dups);
        assertEquals(1, s.outOfOrder);
        assertEquals(0, s.misrouted);
        assertEquals(2, t.latency.getIntervalHistogram().getTotalCount());
    }

    @Test
    void shouldReadFieldsEvenWhenTheMessageIsAnEscapedString() {
        byte[] a = b("{\"channel\": \"c\", \"offset\": 7, \"message\": \"{\\\"bseq\\\":5,\\\"bsent\\\":-3}\"}");
        int msg = FrameScan.indexOf(a, 0, a.length, FrameScan.MESSAGE);
        assertEquals(7, FrameScan.field(a, 0, a.length, FrameScan.OFFSET));
        assertEquals(5, FrameScan.field(a, msg, a.length, FrameScan.SEQ));
        assertEquals(-3, FrameScan.field(a, msg, a.length, FrameScan.SENT));
        assertTrue(FrameScan.channelIs(a, a.length, b("c")));
        assertFalse(FrameScan.channelIs(a, a.length, b("cc")));
    }

    @Test
    void shouldTreatAFrameWithoutSequenceAsOther() {
        Tally t = new Tally();
        Sub s = new Sub(0, b("c"), t);
        byte[] a = b("{\"channel\":\"c\",\"offset\":1,\"message\":{\"bprobe\":1}}");
        s.onFrame(a, a.length);
        assertTrue(s.ready);
        assertEquals(1, s.others);
        assertEquals(0, t.deliveries.sum());
    }

    @Test
    void shouldReadEveryAckOffsetInOrder() {
        byte[] a = b("[{\"channel\":\"x\",\"offset\":10},{\"channel\":\"y\",\"offset\":0},{\"offset\":99}]");
        long[] out = new long[3];
        assertEquals(3, FrameScan.offsets(a, a.length, out));
        assertEquals(10, out[0]);
        assertEquals(0, out[1]);
        assertEquals(99, out[2]);
    }

    @Test
    void shouldCountBitsMissingFromAnother() {
        Bits acked = new Bits();
        Bits seen = new Bits();
        for (int i = 0; i < 5000; i++) {
            acked.testAndSet(i);
            if (i % 100 != 0) {
                seen.testAndSet(i);
            }
        }
        seen.testAndSet(9000); // delivered, never acked
        assertEquals(50, acked.andNotCount(seen));
        assertEquals(1, seen.andNotCount(acked));
        assertTrue(seen.testAndSet(9000));
    }
}
