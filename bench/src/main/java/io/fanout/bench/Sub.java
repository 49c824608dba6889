package io.fanout.bench;

import io.fanout.tools.net.WsConnector;
import reactor.core.Disposable;

/**
 * One WebSocket subscription and what it received. Frame fields are written only by the
 * connection's event-loop thread (the {@link WsConnector.Listener} callbacks); read them after
 * {@link #closed} is true (the volatile write when the connection ends orders them).
 */
final class Sub implements WsConnector.Listener {
    final int channel;
    final byte[] channelName;
    final Tally tally;

    long frames;
    long others; // frames without a generator sequence number (probes, server notices)
    long dups;
    long outOfOrder;
    long misrouted;
    long lastOffset = -1;
    long firstFrameNanos;
    long lastFrameNanos;
    final Bits seen = new Bits();

    volatile boolean ready; // received at least one frame
    volatile boolean connected;
    volatile boolean closed;
    volatile int closeCode = -1;
    volatile String closeReason = "";
    volatile String error;
    volatile Disposable disposable;

    Sub(int channel, byte[] channelName, Tally tally) {
        this.channel = channel;
        this.channelName = channelName;
        this.tally = tally;
    }

    void onFrame(byte[] a, int n) {
        long now = System.nanoTime();
        if (frames++ == 0) {
            firstFrameNanos = now;
        }
        lastFrameNanos = now;
        if (!ready) {
            ready = true;
        }
        int msg = FrameScan.indexOf(a, 0, n, FrameScan.MESSAGE);
        int seqAt = FrameScan.indexOf(a, msg, n, FrameScan.SEQ);
        if (seqAt < 0) {
            others++;
            return;
        }
        long seq = FrameScan.number(a, seqAt + FrameScan.SEQ.length, n);
        if (seq < 0 || seq > Integer.MAX_VALUE) {
            others++;
            return;
        }
        if (!FrameScan.channelIs(a, n, channelName)) {
            misrouted++;
        }
        if (seen.testAndSet((int) seq)) {
            dups++;
            return;
        }
        long offset = FrameScan.field(a, 0, n, FrameScan.OFFSET);
        if (offset < lastOffset) {
            outOfOrder++;
        } else {
            lastOffset = offset;
        }
        tally.deliveries.increment();
        long sent = FrameScan.number(a, FrameScan.indexOf(a, seqAt, n, FrameScan.SENT) + FrameScan.SENT.length, n);
        if (sent != FrameScan.NONE) {
            if (sent >= tally.recordFrom && sent < tally.recordUntil) {
                tally.latency.recordValue(Math.max(0, (now - sent) / 1000));
            } else if (sent >= tally.recordFromB && sent < tally.recordUntilB) {
                tally.latencyB.recordValue(Math.max(0, (now - sent) / 1000));
            }
        }
    }

    void close() {
        Disposable d = disposable;
        if (d != null) {
            d.dispose();
        }
    }

    @Override
    public void opened() {
        connected = true;
    }

    @Override
    public void text(byte[] bytes, int length) {
        onFrame(bytes, length);
    }

    @Override
    public void closeStatus(int code, String reason) {
        closeCode = code;
        closeReason = reason;
    }

    @Override
    public void ended(String why) {
        if (why != null) {
            error = why;
        }
        closed = true;
    }

    /** A subscription whose handshake timed out keeps closed == false: it never had a connection to close. */
    @Override
    public void handshakeTimedOut() {
        error = "handshake timeout";
    }
}
