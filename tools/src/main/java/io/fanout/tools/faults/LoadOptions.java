package io.fanout.tools.faults;

import picocli.CommandLine.Option;

/** The load a fault scenario runs under and when the fault comes (a picocli mixin). */
final class LoadOptions {

    @Option(names = "--rate", defaultValue = "200", description = "publishes per second (default: ${DEFAULT-VALUE})")
    int rate;

    @Option(
            names = "--warmup",
            defaultValue = "10",
            description = "seconds of publishing before the fault (default: ${DEFAULT-VALUE})")
    int warmup;

    @Option(
            names = "--restart-cmd",
            required = true,
            description = "shell command that starts the broken process again")
    String restartCmd;
}
