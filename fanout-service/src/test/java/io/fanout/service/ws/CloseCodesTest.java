package io.fanout.service.ws;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.springframework.web.reactive.socket.CloseStatus;

class CloseCodesTest {

    private static int utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8).length;
    }

    @Test
    void shouldKeepAShortReasonAsItIs() {
        assertThat(CloseCodes.policyViolation("token expired").getReason()).isEqualTo("token expired");
        String exactly = "x".repeat(CloseCodes.MAX_REASON_BYTES);
        assertThat(CloseCodes.fit(exactly)).isEqualTo(exactly);
    }

    @Test
    void shouldCutTheRefusalOfA200CharacterChannelToFitTheCloseFrame() {
        String channel = "c".repeat(200);
        CloseStatus status =
                CloseCodes.policyViolation("token does not allow subscribing to channel '" + channel + "'");
        assertThat(status.getCode()).isEqualTo(1008);
        assertThat(utf8(status.getReason())).isLessThanOrEqualTo(123);
        assertThat(status.getReason())
                .startsWith("token does not allow subscribing to channel 'ccc")
                .endsWith("...");
    }

    @Test
    void shouldCutOnACharacterBoundary() {
        String emoji = "\uD83D\uDE00"; // 4 bytes, 2 chars
        String reason = CloseCodes.fit("a" + emoji.repeat(60));
        assertThat(utf8(reason)).isLessThanOrEqualTo(123);
        String kept = reason.substring(0, reason.length() - 3);
        assertThat(Character.isHighSurrogate(kept.charAt(kept.length() - 1))).isFalse();
        assertThat(new String(reason.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8))
                .isEqualTo(reason);
        String twoBytes = CloseCodes.fit("é".repeat(100));
        assertThat(utf8(twoBytes)).isLessThanOrEqualTo(123);
        assertThat(twoBytes).isEqualTo("é".repeat(60) + "...");
    }

    @Test
    void shouldFitEveryCodeTheServiceSends() {
        String longReason = "ü".repeat(300);
        for (CloseStatus status : new CloseStatus[] {
            CloseCodes.tryAgainLater(longReason),
            CloseCodes.overloaded(longReason),
            CloseCodes.slowConsumer(longReason),
            CloseCodes.GOING_AWAY
        }) {
            assertThat(utf8(status.getReason())).isLessThanOrEqualTo(123);
        }
    }

    @Test
    void shouldKeepAReasonOnOneLine() {
        assertThat(CloseCodes.fit("last must be a whole number, not 'a\nb\u0000c'"))
                .isEqualTo("last must be a whole number, not 'a b c'");
    }
}
