package io.fanout.tools.faults;

import picocli.CommandLine.Command;

/**
 * {@code fault}: the client side of the fault scripts in {@code infra/faults}. Each scenario publishes, follows and
 * checks against a platform the script started; progress goes to stderr, one line of {@code key=value} figures
 * to stdout, and the exit status is 0 only if every check held.
 */
@Command(
        name = "fault",
        mixinStandardHelpOptions = true,
        description = "Fault scenarios against a running platform (infra/faults/* start one and call these).",
        subcommands = {OutageScenario.class, FloodScenario.class, KillScenario.class, SteadyCommand.class})
public final class FaultCommand {}
