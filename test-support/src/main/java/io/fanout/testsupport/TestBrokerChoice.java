package io.fanout.testsupport;

import java.util.Locale;
import java.util.function.BooleanSupplier;

/**
 * Which broker {@link TestKafka} starts, decided once per test JVM: the system property {@value #PROPERTY} (or the
 * environment variable {@value #ENV}) set to {@code embedded} or {@code testcontainers} forces one; unset or
 * {@code auto} takes Testcontainers when a Docker engine answers and the in-process broker otherwise.
 *
 * @param kind the broker to start
 * @param reason why, for the one line the test log gets
 */
record TestBrokerChoice(Kind kind, String reason) {

    static final String PROPERTY = "fanout.test.kafka";
    static final String ENV = "FANOUT_TEST_KAFKA";

    enum Kind {
        EMBEDDED,
        TESTCONTAINERS
    }

    /** The choice for this JVM's settings; asks Docker only when nothing forces a kind. */
    static TestBrokerChoice fromEnvironment() {
        return decide(System.getProperty(PROPERTY), System.getenv(ENV), DockerProbe::engineAnswers);
    }

    /**
     * @param property the system property's value, or null
     * @param env the environment variable's value, or null (the property wins when both are set)
     * @param dockerAnswers asked only in {@code auto} mode
     */
    static TestBrokerChoice decide(String property, String env, BooleanSupplier dockerAnswers) {
        String source =
                property != null && !property.isBlank() ? "-D" + PROPERTY : env != null && !env.isBlank() ? ENV : null;
        String value = source == null
                ? "auto"
                : (property != null && !property.isBlank() ? property : env)
                        .trim()
                        .toLowerCase(Locale.ROOT);
        return switch (value) {
            case "embedded" -> new TestBrokerChoice(Kind.EMBEDDED, source + "=embedded");
            case "testcontainers" -> new TestBrokerChoice(Kind.TESTCONTAINERS, source + "=testcontainers");
            case "auto" ->
                dockerAnswers.getAsBoolean()
                        ? new TestBrokerChoice(Kind.TESTCONTAINERS, "a Docker engine answered")
                        : new TestBrokerChoice(Kind.EMBEDDED, "no Docker engine found");
            default ->
                throw new IllegalArgumentException(
                        source + "=" + value + ": expected embedded, testcontainers or auto");
        };
    }
}
