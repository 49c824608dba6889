package io.fanout.tools.faults;

import static io.fanout.tools.faults.Say.say;

import io.netty.channel.EventLoopGroup;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import reactor.netty.resources.LoopResources;

/**
 * {@code fault flood}: a flood of publishers (no 5xx but 503, every 429/503 with Retry-After, every request
 * answered, a normal publish afterwards), then WebSockets against the connection cap and large messages.
 */
@Command(
        name = "flood",
        mixinStandardHelpOptions = true,
        description = "A flood of publishers and of WebSocket connections (infra/faults/flood).")
final class FloodScenario implements Callable<Integer> {

    @Mixin
    Ports ports;

    @Option(
            names = "--connections",
            defaultValue = "256",
            description = "concurrent publishers (default: ${DEFAULT-VALUE})")
    int connections;

    @Option(
            names = "--seconds",
            defaultValue = "20",
            description = "how long the flood lasts (default: ${DEFAULT-VALUE})")
    int seconds;

    @Option(
            names = "--body-bytes",
            defaultValue = "10240",
            description = "size of each body (default: ${DEFAULT-VALUE})")
    int bodyBytes;

    @Option(
            names = "--sockets",
            defaultValue = "600",
            description = "WebSockets opened against the cap (default: ${DEFAULT-VALUE})")
    int sockets;

    @Option(
            names = "--cap",
            defaultValue = "500",
            description = "fanout.subscribe.max-connections of the service (default: ${DEFAULT-VALUE})")
    int cap;

    @Override
    public Integer call() throws Exception {
        LoopResources loops = Loops.create(2);
        EventLoopGroup group = loops.onClient(false);
        say("flood: %d connections POSTing %d-byte bodies for %ds", connections, bodyBytes, seconds);
        PublishFlood.Outcome flood = new PublishFlood(group, ports, connections, bodyBytes).run(seconds);
        StringBuilder out = new StringBuilder(flood.figures());
        boolean pass = flood.passed();

        SteadyPublisher single = new SteadyPublisher(group, ports, "faults-flood-after", 1);
        int after = single.publish(1).get(40, TimeUnit.SECONDS).status;
        out.append(" publish_after_flood=").append(after);
        pass &= after == 200;

        SocketLimits limits = new SocketLimits(ports);
        pass &= limits.overCap(sockets, cap);
        pass &= limits.acceptedAfterRelease();
        limits.largeMessages();
        System.out.println(out.append(limits.figures()));
        say(pass ? "PASS" : "FAIL");
        return pass ? 0 : 1;
    }
}
