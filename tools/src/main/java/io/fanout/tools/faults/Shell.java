package io.fanout.tools.faults;

import java.io.IOException;

/** Runs the command a fault script passes to restart a process the way run-local does (output discarded). */
final class Shell {

    private Shell() {}

    static void start(String command) throws IOException {
        new ProcessBuilder("bash", "-c", command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
    }
}
