package io.fanout.tools;

import io.fanout.tools.faults.FaultCommand;
import io.fanout.tools.token.MintTokenCommand;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The entry point of {@code fanout-tools.jar}: one subcommand per tool. */
@Command(name = "fanout-tools", mixinStandardHelpOptions = true,
        description = "Command-line tools for fanout; each talks to 127.0.0.1 only.",
        subcommands = {MintTokenCommand.class, FaultCommand.class})
public final class FanoutTools {

    public static void main(String[] args) {
        System.exit(new CommandLine(new FanoutTools()).execute(args));
    }
}
