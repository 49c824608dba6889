package io.fanout.ingest.warmup;

import static org.assertj.core.api.Assertions.assertThat;

import io.fanout.common.publish.PublishRequest;
import io.fanout.common.publish.PublishRequestParser;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** What the start-up warm-up sends and counts in: traffic shaped like real traffic, so the JIT compiles for both. */
class RehearsalTrafficTest {

    @Test
    void shouldSendBodiesThePublishParserAcceptsWithChannelsOfEveryLengthModuloFourAndSeparatorAndEachKindOfMessage() {
        Set<Integer> lengths = new HashSet<>();
        Set<Character> kinds = new HashSet<>();
        Set<Character> separators = new HashSet<>();
        for (int i = 0; i < 64; i++) {
            PublishRequest request =
                    PublishRequestParser.parseOne(StartupWarmup.body(i).getBytes(StandardCharsets.UTF_8));
            assertThat(request.channel()).startsWith("warmup");
            separators.add(request.channel().charAt("warmup".length()));
            lengths.add(request.channel().length() % 4);
            kinds.add(request.message().charAt(0));
        }
        assertThat(lengths).containsExactlyInAnyOrder(0, 1, 2, 3);
        assertThat(kinds).containsExactlyInAnyOrder('"', '{', '[');
        assertThat(separators).containsExactlyInAnyOrder('-', '.', '_', ':');
    }

    @Test
    void shouldCountInARegistryOfTheApplicationsKindButNotInIt() {
        PrometheusMeterRegistry application = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

        assertThat(StartupWarmup.registryLike(application))
                .isInstanceOf(PrometheusMeterRegistry.class)
                .isNotSameAs(application);
        assertThat(StartupWarmup.registryLike(new SimpleMeterRegistry())).isInstanceOf(SimpleMeterRegistry.class);
    }
}
