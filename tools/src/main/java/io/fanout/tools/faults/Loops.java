package io.fanout.tools.faults;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;

/** The client's Netty event loops for {@link io.fanout.tools.net.RawHttp}: daemon threads, shared by a scenario. */
final class Loops {

    private Loops() {
    }

    static EventLoopGroup create(int threads) {
        return new MultiThreadIoEventLoopGroup(threads, r -> {
            Thread t = new Thread(r, "fault-http");
            t.setDaemon(true);
            return t;
        }, NioIoHandler.newFactory());
    }
}
