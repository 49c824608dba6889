package io.fanout.tools.faults;

import io.netty.channel.EventLoopGroup;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import reactor.netty.resources.LoopResources;

/** {@code fault steady}: a diagnostic; publishes at a steady rate and prints the timeline of the answers. */
@Command(
        name = "steady",
        mixinStandardHelpOptions = true,
        description = "Diagnostics: publish at a steady rate to faults-steady and print how the answers went.")
final class SteadyCommand implements Callable<Integer> {

    @Mixin
    Ports ports;

    @Option(names = "--rate", defaultValue = "200", description = "publishes per second (default: ${DEFAULT-VALUE})")
    int rate;

    @Option(names = "--seconds", defaultValue = "20", description = "how long (default: ${DEFAULT-VALUE})")
    int seconds;

    @Override
    public Integer call() throws Exception {
        LoopResources loops = Loops.create(2);
        EventLoopGroup group = loops.onClient(false);
        SteadyPublisher p = new SteadyPublisher(group, ports, "faults-steady", rate);
        long start = System.nanoTime();
        p.start();
        Clock.sleepSeconds(seconds);
        p.stop();
        Timeline.print(p.results(), start, start, start);
        return 0;
    }
}
