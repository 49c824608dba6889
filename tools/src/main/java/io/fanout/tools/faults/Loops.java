package io.fanout.tools.faults;

import reactor.netty.resources.LoopResources;

/**
 * The client's Netty event loops, shared by a scenario's {@link io.fanout.tools.net.RawHttp} clients
 * ({@code loops.onClient(false)}) and its WebSocket followers; daemon threads.
 */
final class Loops {

    private Loops() {}

    static LoopResources create(int threads) {
        return LoopResources.create("fault", threads, true);
    }
}
