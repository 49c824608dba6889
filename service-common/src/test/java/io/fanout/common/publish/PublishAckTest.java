package io.fanout.common.publish;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

class PublishAckTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final PublishAck plain = new PublishAck(
            "orders.eu", "\"hello\"", "6f1c2a9e-7d3b-4c55-9a0e-1b2c3d4e5f60", 7, 123456789012L, 1795572532845L);
    private final PublishAck nested = new PublishAck(
            "a:b_c-d",
            "{\"text\":\"grüße \\\"quoted\\\"\",\"n\":[1,2.5,null]}",
            "00000000-0000-0000-0000-000000000000",
            0,
            0,
            0);

    @Test
    void shouldWriteTheSameJsonAsJackson() {
        for (PublishAck ack : List.of(plain, nested)) {
            assertThat(new String(ack.toJson(), StandardCharsets.UTF_8)).isEqualTo(JSON.writeValueAsString(ack));
        }
    }

    @Test
    void shouldWriteABatchAsAnArrayInOrder() {
        assertThat(new String(PublishAck.toJson(List.of(plain, nested)), StandardCharsets.UTF_8))
                .isEqualTo(JSON.writeValueAsString(List.of(plain, nested)));
        assertThat(new String(PublishAck.toJson(List.of()), StandardCharsets.UTF_8))
                .isEqualTo("[]");
    }
}
