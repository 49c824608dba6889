package io.fanout.common.publish;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fanout.schemas.Channels;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PublishRequestParserTest {

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void shouldParseAPublishAndKeepTheMessageAsCompactJson() {
        PublishRequest request =
                PublishRequestParser.parseOne(utf8("{\"channel\":\"orders\", \"message\": {\"a\": [1, 2.50]}}"));
        assertThat(request.channel()).isEqualTo("orders");
        assertThat(request.message()).isEqualTo("{\"a\":[1,2.50]}");
        assertThat(request.idempotencyKey()).isNull();
    }

    @Test
    void shouldUseTheDefaultChannelWhenNoneIsGiven() {
        assertThat(PublishRequestParser.parseOne(utf8("{\"message\":\"hi\"}")).channel())
                .isEqualTo(Channels.DEFAULT);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "   ",
                "{",
                "not json",
                "{\"message\":1} {}",
                "{\"message\":1,\"message\":2}",
                "[]",
                "42",
                "{\"channel\":\"orders\"}",
                "{\"chanel\":\"orders\",\"message\":1}",
                "{\"channel\":7,\"message\":1}",
                "{\"channel\":\"bad channel\",\"message\":1}",
                "{\"channel\":\"\",\"message\":1}"
            })
    void shouldRefuseEveryMalformedBodyWithA400AndADetail(String body) {
        assertThatThrownBy(() -> PublishRequestParser.parseOne(utf8(body)))
                .isInstanceOf(InvalidPublishException.class)
                .satisfies(e -> {
                    InvalidPublishException invalid = (InvalidPublishException) e;
                    assertThat(invalid.status()).isEqualTo(400);
                    assertThat(invalid.closeCode()).isEqualTo(1008);
                    assertThat(invalid.getMessage()).isNotBlank();
                });
    }

    @Test
    void shouldNameTheProblemSoAPersonCanFixIt() {
        assertThatThrownBy(() -> PublishRequestParser.parseOne(utf8("{\"chanel\":\"x\",\"message\":1}")))
                .hasMessageContaining("unknown field \"chanel\"");
        assertThatThrownBy(() -> PublishRequestParser.parseOne(utf8("{\"channel\":\"x\"}")))
                .hasMessageContaining("\"message\" is missing");
        assertThatThrownBy(() -> PublishRequestParser.parseOne(new byte[0])).hasMessageContaining("body is empty");
    }

    @Test
    void shouldParseABatchInOrderAndNameTheBadItem() {
        List<PublishRequest> batch = PublishRequestParser.parseBatch(
                utf8("[{\"channel\":\"a\",\"message\":1},{\"channel\":\"b\",\"message\":2}]"), 10);
        assertThat(batch).extracting(PublishRequest::channel).containsExactly("a", "b");
        assertThatThrownBy(() -> PublishRequestParser.parseBatch(
                        utf8("[{\"message\":1},{\"channel\":\"a b\",\"message\":2}]"), 10))
                .isInstanceOf(InvalidPublishException.class)
                .hasMessageStartingWith("item 1: ");
        assertThatThrownBy(() -> PublishRequestParser.parseBatch(utf8("{\"message\":1}"), 10))
                .hasMessageContaining("JSON array");
        assertThatThrownBy(() -> PublishRequestParser.parseBatch(utf8("[]"), 10))
                .hasMessageContaining("empty");
        assertThatThrownBy(() -> PublishRequestParser.parseBatch(utf8("[{\"message\":1},{\"message\":2}]"), 1))
                .hasMessageContaining("at most 1");
    }

    @Test
    void shouldReadASocketFrameAsAPublishObjectAMessageOrText() {
        SocketPublish object = PublishRequestParser.parseFrame("{\"message\":{\"x\":1},\"id\":\"key-1\"}", "orders");
        assertThat(object.acknowledged()).isTrue();
        assertThat(object.request()).isEqualTo(new PublishRequest("orders", "{\"x\":1}", "key-1"));

        SocketPublish other = PublishRequestParser.parseFrame("{\"channel\":\"audit\",\"message\":true}", "orders");
        assertThat(other.request().channel()).isEqualTo("audit");

        SocketPublish value = PublishRequestParser.parseFrame("[1, 2]", "orders");
        assertThat(value.acknowledged()).isFalse();
        assertThat(value.request().message()).isEqualTo("[1,2]");

        SocketPublish text = PublishRequestParser.parseFrame("hello \"world\"", "orders");
        assertThat(text.request().message()).isEqualTo("\"hello \\\"world\\\"\"");
    }

    @Test
    void shouldRefuseSocketFramesThatCannotBePublished() {
        assertThatThrownBy(() -> PublishRequestParser.parseFrame("{\"message\":1}", null))
                .isInstanceOf(InvalidPublishException.class)
                .hasMessageContaining("several channels");
        assertThatThrownBy(() -> PublishRequestParser.parseFrame("plain", null))
                .isInstanceOf(InvalidPublishException.class);
        assertThatThrownBy(() -> PublishRequestParser.parseFrame("{\"message\":1,\"id\":5}", "orders"))
                .hasMessageContaining("must be a string");
        assertThatThrownBy(() -> PublishRequestParser.parseFrame("{\"message\":1,\"id\":\"has space\"}", "orders"))
                .hasMessageContaining("visible ASCII");
    }

    @Test
    void shouldAcceptOnlyValidIdempotencyKeys() {
        assertThat(PublishRequestParser.requireIdempotencyKey("order-1:a")).isEqualTo("order-1:a");
        for (String bad : new String[] {"", "x".repeat(201), "tab\there", "caf\u00e9"}) {
            assertThatThrownBy(() -> PublishRequestParser.requireIdempotencyKey(bad))
                    .isInstanceOf(InvalidPublishException.class);
        }
    }
}
