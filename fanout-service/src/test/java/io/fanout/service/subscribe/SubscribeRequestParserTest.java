package io.fanout.service.subscribe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.util.LinkedMultiValueMap;
import org.springframework.util.MultiValueMap;
import org.springframework.util.unit.DataSize;
import org.springframework.web.util.UriComponentsBuilder;

/** Every cursor form the parser accepts, and every malformed one it refuses with a reason that fits a close frame. */
class SubscribeRequestParserTest {

    private final SubscribeRequestParser parser = new SubscribeRequestParser(new SubscribeProperties(
            1000, DataSize.ofMegabytes(8), DataSize.ofMegabytes(256), 100_000_000, 3, 10_000, Duration.ofSeconds(10)));

    private SubscribeRequest parse(String query) {
        return parser.parse(
                UriComponentsBuilder.fromUriString("/events?" + query).build().getQueryParams());
    }

    @Test
    void shouldFollowTheDefaultChannelLiveWithoutAnything() {
        SubscribeRequest request = parser.parse(new LinkedMultiValueMap<>());
        assertThat(request.channels()).containsExactly("lebowski");
        assertThat(request.cursor()).isEqualTo(new Cursor.Live());
    }

    @Test
    void shouldReadEachCursorForm() {
        assertThat(parse("channel=a&from=5").cursor()).isEqualTo(new Cursor.FromOffset(5));
        assertThat(parse("channel=a&from=1:5,2:7").cursor()).isEqualTo(new Cursor.FromPositions(Map.of(1, 5L, 2, 7L)));
        assertThat(parse("channel=a&last=3").cursor()).isEqualTo(new Cursor.Last(3));
        assertThat(parse("channel=a&since=1732480000000").cursor()).isEqualTo(new Cursor.Since(1732480000000L));
        assertThat(parse("channel=a&since=2026-11-24T10:00:00Z").cursor())
                .isEqualTo(new Cursor.Since(
                        java.time.Instant.parse("2026-11-24T10:00:00Z").toEpochMilli()));
    }

    @Test
    void shouldReadCursorsOnePerPartitionWhereTheNewestWins() {
        String older = new PartitionCursor(3, Map.of("r1", new PartitionCursor.Mark(100, "a"))).encode();
        String newer = new PartitionCursor(3, Map.of("r1", new PartitionCursor.Mark(200, "b"))).encode();
        String other = new PartitionCursor(7, Map.of("r2", new PartitionCursor.Mark(50, "c"))).encode();
        Cursor cursor = parse("channel=a&cursor=" + newer + "&cursor=" + older + "," + other)
                .cursor();
        assertThat(cursor)
                .isEqualTo(new Cursor.Resume(Map.of(3, PartitionCursor.parse(newer), 7, PartitionCursor.parse(other))));
    }

    @Test
    void shouldReadMirroredPositionsInAPositionList() {
        assertThat(parse("channel=a&from=1:5,r2/1:9").cursor())
                .isEqualTo(new Cursor.FromPositions(Map.of(1, 5L), Map.of(new OriginPartition("r2", 1), 9L)));
    }

    @Test
    void shouldKeepDistinctChannelsInOrder() {
        assertThat(parse("channel=b&channel=a&channel=b").channels()).containsExactly("b", "a");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "from=banana",
                "from=",
                "from=-1",
                "from=1.5",
                "from=99999999999999999999",
                "from=1:2:3",
                "from=R2/1:5",
                "from=r2/1:5,r2/1:6",
                "cursor=",
                "cursor=banana",
                "cursor=1.3.r1~abc~bYQ&from=3",
                "cursor=1.3.r1~abc~bYQ&last=3",
                "cursor=1.3.r1~abc~bYQ,",
                "cursor=2.3.r1~abc~bYQ",
                "cursor=1.3.r1~abc~uAAAA",
                "from=1:",
                "from=:5",
                "from=a:5",
                "from=1:b",
                "from=-1:5",
                "from=1:-5",
                "from=1:5,",
                "from=,1:5",
                "from=1:5,1:6",
                "from=1:5;2:6",
                "last=0",
                "last=-5",
                "last=abc",
                "last=",
                "last=10001",
                "since=banana",
                "since=",
                "since=-1",
                "since=2026-13-45T99:00:00Z",
                "from=1&last=2",
                "from=1&since=2",
                "last=1&last=2",
                "from=1&from=2",
                "channel=bad/name",
                "channel=",
                "channel=a&channel=b&channel=c&channel=d",
                "seq=a~r1",
                "seq=a~r1~",
                "seq=a~r1~-1",
                "seq=a~r1~banana",
                "seq=a~R1~3",
                "seq=b~r1~3",
                "seq=a~r1~3~4",
                "seq=a~r1~1&seq=a~r1~2",
                "seq="
            })
    void shouldRefuseAMalformedRequestWithAReasonThatFitsACloseFrame(String query) {
        String full = query.startsWith("channel=") ? query : "channel=a&" + query;
        assertThatThrownBy(() -> parse(full))
                .isInstanceOf(InvalidSubscribeException.class)
                .satisfies(e -> assertThat(e.getMessage())
                        .isNotBlank()
                        .satisfies(m -> assertThat(m.getBytes(StandardCharsets.UTF_8).length)
                                .isLessThanOrEqualTo(123)));
    }

    @Test
    void shouldCutAVeryLongBadValueToFitACloseFrame() {
        MultiValueMap<String, String> query = new LinkedMultiValueMap<>();
        query.put("channel", List.of("a"));
        query.put("from", List.of("x".repeat(500)));
        assertThatThrownBy(() -> parser.parse(query))
                .satisfies(e -> assertThat(e.getMessage().getBytes(StandardCharsets.UTF_8).length)
                        .isLessThanOrEqualTo(123));
    }

    @Test
    void shouldReadTheLastSeqOfEachChannelAndOrigin() {
        SubscribeRequest request = parse("channel=a&channel=b:c&cursor=1.0.r1&seq=a~r1~41&seq=a~r2~0&seq=b:c~r1~7");
        assertThat(request.lastSeqs())
                .containsOnly(
                        Map.entry(new ChannelOrigin("a", "r1"), 41L),
                        Map.entry(new ChannelOrigin("a", "r2"), 0L),
                        Map.entry(new ChannelOrigin("b:c", "r1"), 7L));
        assertThat(parse("channel=a").lastSeqs()).isEmpty();
    }
}
