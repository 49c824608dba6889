package io.fanout.schemas;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class ChannelsTest {

    @ParameterizedTest
    @ValueSource(strings = {"lebowski", "a", "orders.eu-west_1:v2", "A-Z.0_9:x"})
    void shouldAcceptNamesOfAllowedCharacters(String name) {
        assertThat(Channels.isValid(name)).isTrue();
        assertThat(Channels.requireValid(name)).isEqualTo(name);
    }

    @Test
    void shouldAcceptTwoHundredCharactersButNotMore() {
        assertThat(Channels.isValid("x".repeat(200))).isTrue();
        assertThat(Channels.problem("x".repeat(201))).contains("201").contains("at most 200");
    }

    @ParameterizedTest
    @NullAndEmptySource
    void shouldRefuseEmptyNames(String name) {
        assertThat(Channels.problem(name)).isEqualTo("channel must not be empty");
    }

    @ParameterizedTest
    @ValueSource(strings = {"a b", "a/b", "é", "a*", "x\n", "../etc", "a#b", "a?b"})
    void shouldRefuseOtherCharactersWithoutRewriting(String name) {
        assertThat(Channels.isValid(name)).isFalse();
        assertThatThrownBy(() -> Channels.requireValid(name))
                .isInstanceOf(InvalidChannelException.class)
                .hasMessageContaining("allowed are A-Z a-z 0-9 . _ - :");
    }

    @Test
    void shouldNameTheOffendingCharacterAndPosition() {
        assertThat(Channels.problem("ab c"))
                .isEqualTo("channel contains U+0020 at position 2; allowed are A-Z a-z 0-9 . _ - :");
        assertThat(Channels.problem("ab/c")).startsWith("channel contains '/' at position 2");
    }
}
