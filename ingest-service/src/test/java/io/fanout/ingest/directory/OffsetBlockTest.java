package io.fanout.ingest.directory;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class OffsetBlockTest {

    @Test
    void shouldDecodeWhatWasAppendedSlotBySlot() {
        long[] offsets = new long[OffsetBlock.SIZE];
        offsets[0] = 5_000_000_000L;
        byte[] block = OffsetBlock.start(0, offsets[0]);
        for (int slot = 1; slot < OffsetBlock.SIZE; slot++) {
            offsets[slot] = offsets[slot - 1] + 1 + (slot % 7) * 1_000;
            block = OffsetBlock.append(block, offsets[slot - 1], offsets[slot]);
            assertThat(OffsetBlock.decode(block)).containsExactly(java.util.Arrays.copyOf(offsets, slot + 1));
        }
        assertThat(block.length)
                .as("one byte of slot, the first offset, then small differences")
                .isLessThan(1 + 10 + (OffsetBlock.SIZE - 1) * 3);
    }

    @Test
    void shouldKeepOffsetsThatGoDownAndBlocksThatStartMidway() {
        byte[] block = OffsetBlock.start(61, 42);
        block = OffsetBlock.append(block, 42, 7); // another partition, after the topic grew
        block = OffsetBlock.append(block, 7, 8);
        long[] decoded = OffsetBlock.decode(block);
        assertThat(decoded).hasSize(64);
        assertThat(decoded[0]).isEqualTo(OffsetBlock.NONE);
        assertThat(decoded[60]).isEqualTo(OffsetBlock.NONE);
        assertThat(java.util.Arrays.copyOfRange(decoded, 61, 64)).containsExactly(42, 7, 8);
    }

    @Test
    void shouldNumberBlocksAndSlotsBySequence() {
        assertThat(OffsetBlock.of(0)).isZero();
        assertThat(OffsetBlock.of(OffsetBlock.SIZE - 1)).isZero();
        assertThat(OffsetBlock.of(OffsetBlock.SIZE)).isEqualTo(1);
        assertThat(OffsetBlock.slot(OffsetBlock.SIZE + 3)).isEqualTo(3);
    }
}
