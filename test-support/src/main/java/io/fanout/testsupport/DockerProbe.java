package io.fanout.testsupport;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.testcontainers.DockerClientFactory;

/**
 * Whether a Docker engine answers. Starts no container and pulls no image. When there is no sign of an engine
 * at all (no {@code DOCKER_HOST}, no {@code ~/.testcontainers.properties}, none of the usual sockets) it answers
 * no at once, without Testcontainers' strategy search, which takes seconds and logs an error block.
 */
final class DockerProbe {

    private DockerProbe() {}

    static boolean engineAnswers() {
        if (!anySign()) {
            return false;
        }
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (RuntimeException | LinkageError e) {
            return false;
        }
    }

    private static boolean anySign() {
        String home = System.getProperty("user.home", "");
        String runtimeDir = System.getenv("XDG_RUNTIME_DIR");
        List<Path> places = Stream.of(
                        Path.of("/var/run/docker.sock"),
                        Path.of(home, ".docker", "run", "docker.sock"),
                        Path.of(home, ".docker", "desktop", "docker.sock"),
                        Path.of(home, ".testcontainers.properties"),
                        runtimeDir == null ? null : Path.of(runtimeDir, "docker.sock"),
                        runtimeDir == null ? null : Path.of(runtimeDir, "podman", "podman.sock"))
                .filter(p -> p != null)
                .toList();
        return System.getenv("DOCKER_HOST") != null || places.stream().anyMatch(Files::exists);
    }
}
