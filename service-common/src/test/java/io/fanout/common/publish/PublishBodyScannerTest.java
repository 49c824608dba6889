package io.fanout.common.publish;

import static org.assertj.core.api.Assertions.assertThat;

import io.fanout.schemas.Channels;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The streaming scan of publish bodies: it takes valid bodies, with the message's JSON text copied compact and
 * meaning the same as the tree parser's, and gives up (so that the tree parser answers with its error) on every body
 * the tree parser refuses.
 */
class PublishBodyScannerTest {

    private static final PublishBodyScanner SCANNER = PublishRequestParser.SCANNER;
    private static final JsonMapper PLAIN = JsonMapper.builder().build();

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "{\"channel\":\"orders\",\"message\":{\"bseq\":17,\"bsent\":123456789012345,\"pad\":\"xxxx\"}}",
                "{\"message\":1}",
                "{\"message\":-0.5e-3,\"channel\":\"a.b_c-d:e\"}",
                "{\"message\":12345678901234567890123456789}",
                "{\"message\":2.50}",
                "{\"message\":true}",
                "{\"message\":null}",
                "{\"message\":\"plain\"}",
                "{\"message\":\"esc \\\" \\\\ \\n \\u00e9 \\/ é 𝄞\"}",
                "{\"message\":[]}",
                "{\"message\":{}}",
                "{\"message\":[1,[2,[3,{\"a\":null}]],\"}\"]}",
                " \n{ \"channel\" : \"orders\" ,\n \"message\" : { \"a\" : [ 1 , 2.50 ] , \"s\" : \" kept  spaces \" } }\n ",
                "{\"message\" :\t7 }",
                "{\"message\":\"x\" }",
                "{\"message\":{\"a\":\"\\\\\"} }"
            })
    void shouldTakeAValidBodyWithTheMessageCompactAndMeaningWhatTheTreeParserReads(String body) {
        PublishRequest scanned = SCANNER.one(utf8(body));
        assertThat(scanned).as("scanned").isNotNull();
        JsonNode tree = PLAIN.readTree(body);
        String channel = tree.has("channel") ? tree.get("channel").stringValue() : Channels.DEFAULT;
        assertThat(scanned.channel()).isEqualTo(channel);
        assertThat(PLAIN.readTree(scanned.message()))
                .as("the same JSON value")
                .isEqualTo(PLAIN.readTree(PLAIN.writeValueAsString(tree.get("message"))));
        assertThat(scanned.message())
                .as("no whitespace between tokens")
                .isEqualTo(compactOutsideStrings(scanned.message()));
        assertThat(scanned.idempotencyKey()).isNull();
    }

    @Test
    void shouldCopyTheMessageAsTheClientWroteIt() {
        assertThat(SCANNER.one(utf8("{\"channel\":\"orders\", \"message\": {\"a\": [1, 2.50]}}"))
                        .message())
                .isEqualTo("{\"a\":[1,2.50]}");
        assertThat(SCANNER.one(utf8("{\"message\":{\"s\":\"a b\\\" c\", \"n\" : 1e3}}"))
                        .message())
                .isEqualTo("{\"s\":\"a b\\\" c\",\"n\":1e3}");
        assertThat(SCANNER.one(utf8("{\"message\":1}")).message()).isEqualTo("1");
        assertThat(SCANNER.one(utf8("{\"message\" :\t-0.5e-3 , \"channel\":\"c\"}"))
                        .message())
                .isEqualTo("-0.5e-3");
        assertThat(SCANNER.one(utf8("{\"message\":true}")).message()).isEqualTo("true");
        assertThat(SCANNER.one(utf8("{\"message\":\"x\" }")).message()).isEqualTo("\"x\"");
        assertThat(SCANNER.one(utf8("{\"message\":12345678901234567890123456789}"))
                        .message())
                .isEqualTo("12345678901234567890123456789");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "   ",
                "{",
                "not json",
                "{\"message\":1} {}",
                "{\"message\":1} x",
                "{\"message\":1,\"message\":2}",
                "{\"message\":{\"a\":1,\"a\":2}}",
                "[]",
                "42",
                "null",
                "{\"channel\":\"orders\"}",
                "{\"chanel\":\"orders\",\"message\":1}",
                "{\"message\":1,\"id\":\"k\"}",
                "{\"channel\":7,\"message\":1}",
                "{\"channel\":null,\"message\":1}",
                "{\"channel\":\"bad channel\",\"message\":1}",
                "{\"channel\":\"\",\"message\":1}",
                "{\"message\":[1,2}",
                "{\"message\":\"unterminated}",
                "{\"message\":01}",
                "{\"message\":NaN}",
                "{\"message\":'single'}",
                "{\"message\":1,}",
                "{'message':1}"
            })
    void shouldLeaveEveryBodyTheTreeParserRefusesToIt(String body) {
        assertThat(SCANNER.one(utf8(body))).isNull();
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> PublishRequestParser.parseOne(utf8(body)))
                .isInstanceOf(InvalidPublishException.class);
    }

    @Test
    void shouldLeaveBodiesThatAreNotPlainUtf8ToTheTreeParser() {
        byte[] bom = utf8("\uFEFF{\"message\":1}");
        assertThat(SCANNER.one(bom)).isNull();
        byte[] utf16 = "{\"message\":1}".getBytes(StandardCharsets.UTF_16BE);
        assertThat(SCANNER.one(utf16)).isNull();
        assertThat(PublishRequestParser.parseOne(utf16).message()).isEqualTo("1");
        byte[] badUtf8 = {'{', '"', 'm', 'e', 's', 's', 'a', 'g', 'e', '"', ':', '"', (byte) 0xC3, '"', '}'};
        assertThat(SCANNER.one(badUtf8)).isNull();
    }

    @Test
    void shouldTakeABatchInOrderAndLeaveAnyBadOneOrOneTooLongToTheTreeParser() {
        List<PublishRequest> batch = SCANNER.batch(
                utf8(
                        "[{\"channel\":\"a\",\"message\":1}, {\"message\":{\"x\": [2]}} ,{\"channel\":\"c\",\"message\":\"3\"}]"),
                3);
        assertThat(batch)
                .containsExactly(
                        new PublishRequest("a", "1"),
                        new PublishRequest(Channels.DEFAULT, "{\"x\":[2]}"),
                        new PublishRequest("c", "\"3\""));
        assertThat(SCANNER.batch(utf8("[{\"message\":1},{\"message\":2}]"), 1)).isNull();
        assertThat(SCANNER.batch(utf8("[]"), 3)).isNull();
        assertThat(SCANNER.batch(utf8("[{\"message\":1},{\"chanel\":\"x\",\"message\":2}]"), 3))
                .isNull();
        assertThat(SCANNER.batch(utf8("[{\"message\":1},2]"), 3)).isNull();
        assertThat(SCANNER.batch(utf8("{\"message\":1}"), 3)).isNull();
        assertThat(SCANNER.batch(utf8("[{\"message\":1}] []"), 3)).isNull();
    }

    private static String compactOutsideStrings(String json) {
        StringBuilder out = new StringBuilder();
        boolean inString = false;
        for (int i = 0; i < json.length(); i++) {
            char c = json.charAt(i);
            if (inString) {
                if (c == '\\') {
                    out.append(c).append(json.charAt(++i));
                    continue;
                }
                inString = c != '"';
            } else if (c == '"') {
                inString = true;
            } else if (Character.isWhitespace(c)) {
                continue;
            }
            out.append(c);
        }
        return out.toString();
    }
}
