package io.fanout.tools;

import io.fanout.tools.faults.FaultCommand;
import io.fanout.tools.faults.MeasureCommand;
import io.fanout.tools.token.MintTokenCommand;
import java.util.logging.Level;
import java.util.logging.Logger;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import reactor.util.Loggers;

/** The entry point of {@code fanout-tools.jar}: one subcommand per tool. */
@Command(
        name = "fanout-tools",
        mixinStandardHelpOptions = true,
        description = "Command-line tools for fanout; each talks to 127.0.0.1 only.",
        subcommands = {MintTokenCommand.class, FaultCommand.class, MeasureCommand.class})
public final class FanoutTools {

    /**
     * Reactor Netty's logger, held so its level stays set: a tool reports failed connections itself (the fault
     * follower counts and retries them), so Reactor Netty's warning and stack trace per failed handshake is noise.
     */
    private static final Logger REACTOR_NETTY = Logger.getLogger("reactor.netty");

    public static void main(String[] args) {
        Loggers.useJdkLoggers();
        REACTOR_NETTY.setLevel(Level.SEVERE);
        System.exit(new CommandLine(new FanoutTools()).execute(args));
    }
}
