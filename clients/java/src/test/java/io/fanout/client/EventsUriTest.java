package io.fanout.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EventsUriTest {

    @Test
    void shouldTurnAnHttpBaseIntoTheEventsWebSocket() {
        assertThat(EventsUri.of(
                        URI.create("http://127.0.0.1:8081"), List.of("a", "news:sport"), Map.of("from", "3:17,7:0")))
                .hasToString("ws://127.0.0.1:8081/events?channel=a&channel=news:sport&from=3:17,7:0");
        assertThat(EventsUri.of(URI.create("https://h/"), List.of("a"), Map.of()))
                .hasToString("wss://h/events?channel=a");
    }

    @Test
    void shouldKeepAGivenPathAndQuery() {
        assertThat(EventsUri.of(URI.create("ws://h:1/fanout/events?x=1"), List.of("a"), Map.of("last", "10")))
                .hasToString("ws://h:1/fanout/events?x=1&channel=a&last=10");
    }

    @Test
    void shouldEncodeWhatTheQueryCannotCarry() {
        assertThat(EventsUri.of(URI.create("ws://h"), List.of("a b&c"), Map.of()))
                .hasToString("ws://h/events?channel=a+b%26c");
    }

    @Test
    void shouldRefuseOtherSchemes() {
        assertThatThrownBy(() -> EventsUri.of(URI.create("ftp://h"), List.of("a"), Map.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not a fan-out URL");
    }

    @Test
    void shouldDescribeTheCursorOfAResume() {
        assertThat(EventsUri.describe(Map.of("from", "1:9"))).isEqualTo("from=1:9");
        assertThat(EventsUri.describe(Map.of())).isEqualTo("live");
    }
}
