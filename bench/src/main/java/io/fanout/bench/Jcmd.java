package io.fanout.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** The JDK's {@code jcmd}, run against a platform JVM (a GC before a memory reading, a thread dump for names). */
final class Jcmd {
    private Jcmd() {}

    /** The jcmd of the JDK that runs the generator, or {@code null} when that JDK has none (a bare JRE). */
    static Path binary() {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        return Files.isExecutable(jcmd) ? jcmd : null;
    }

    /** Runs {@code jcmd <pid> <command>} and gives what it printed; empty when it failed or ran over 30 s. */
    static String run(Path jcmd, long pid, String command) {
        try {
            Process p = new ProcessBuilder(jcmd.toString(), Long.toString(pid), command)
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return "";
            }
            return out;
        } catch (IOException e) {
            return "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "";
        }
    }
}
