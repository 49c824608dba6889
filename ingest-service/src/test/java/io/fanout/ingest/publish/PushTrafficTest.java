package io.fanout.ingest.publish;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Which requests ingest serves itself (PushChannelHandler): exactly those WebFlux's {@code PushController} would answer with a publish. */
class PushTrafficTest {

    @ParameterizedTest(name = "{0} is /push: {1}")
    @CsvSource({
        "/push, true",
        "/push?token=abc, true",
        "/push?, true",
        "/push/, false",
        "/push/batch, false",
        "/pushx, false",
        "/Push, false",
        "/, false"
    })
    void shouldTakeOnlyThePushPath(String uri, boolean taken) {
        assertThat(PushTraffic.isPushPath(uri)).isEqualTo(taken);
    }

    @ParameterizedTest(name = "Content-Type {0}: {1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "application/json | true",
                "application/json;charset=UTF-8 | true",
                "Application/JSON ; charset=utf-8 | true",
                "text/plain | false",
                "application/json-seq | false",
                "application/problem+json | false",
                "application/x-www-form-urlencoded | false",
                "'' | false"
            })
    void shouldTakeOnlyJsonBodies(String contentType, boolean taken) {
        assertThat(PushTraffic.isJson(contentType)).isEqualTo(taken);
        assertThat(PushTraffic.isJson(null)).isFalse();
    }

    @ParameterizedTest(name = "Accept {0}: {1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "'' | true",
                "*/* | true",
                "application/json | true",
                "application/* | true",
                "text/html, */*;q=0.8 | true",
                "text/plain | false",
                "application/json;q=0 | false",
                "not a media type | false"
            })
    void shouldTakeOnlyRequestsThatAcceptJson(String accept, boolean taken) {
        assertThat(PushTraffic.acceptsJson(accept)).isEqualTo(taken);
        assertThat(PushTraffic.acceptsJson(null)).isTrue();
    }
}
