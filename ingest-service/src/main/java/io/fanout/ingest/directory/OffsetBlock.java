package io.fanout.ingest.directory;

import java.nio.ByteBuffer;
import java.util.Arrays;
import org.apache.kafka.common.utils.ByteUtils;

/**
 * One value of the recent-offsets index: the offsets of up to {@value #SIZE} consecutive events of a channel,
 * those with the sequence numbers {@code block * SIZE} to {@code block * SIZE + SIZE - 1} (the sequence number
 * of an event is the channel's count before it). Slot {@code i} of block {@code b} holds sequence
 * {@code b * SIZE + i}.
 *
 * <p>Encoding: one byte, the first slot filled (0, except in the block a channel was in when its index
 * started, as after an upgrade from the per-event index); the offset of that slot; then each following
 * offset as its difference to the one before. Offsets and differences are zig-zag varlongs
 * ({@link ByteUtils#writeVarlong}): a channel's offsets ascend within its partition, so a difference
 * usually takes one to three bytes and a full block some 100 to 200.
 *
 * <p>Appending needs only the previous offset, which the processor has at hand (the channel's last
 * offset), so an event extends a copy of the block's bytes without decoding them.
 */
final class OffsetBlock {

    /** Offsets per block. A channel keeps up to {@code SIZE - 1} more offsets than the index must answer. */
    static final int SIZE = 64;

    /** What {@link #decode} puts in the slots a block never held. */
    static final long NONE = -1;

    private OffsetBlock() {}

    /** The block number of sequence number {@code sequence}. */
    static long of(long sequence) {
        return sequence / SIZE;
    }

    /** The slot of sequence number {@code sequence} in its block. */
    static int slot(long sequence) {
        return (int) (sequence % SIZE);
    }

    /** A new block whose first offset, {@code offset}, is in slot {@code slot}. */
    static byte[] start(int slot, long offset) {
        ByteBuffer buffer = ByteBuffer.allocate(1 + ByteUtils.sizeOfVarlong(offset));
        buffer.put((byte) slot);
        ByteUtils.writeVarlong(offset, buffer);
        return buffer.array();
    }

    /**
     * {@code block} with {@code offset} in the next slot.
     *
     * @param previous the offset in the block's last filled slot
     */
    static byte[] append(byte[] block, long previous, long offset) {
        long difference = offset - previous;
        ByteBuffer buffer = ByteBuffer.wrap(Arrays.copyOf(block, block.length + ByteUtils.sizeOfVarlong(difference)));
        buffer.position(block.length);
        ByteUtils.writeVarlong(difference, buffer);
        return buffer.array();
    }

    /** The block's offsets by slot, {@link #NONE} in slots before its first; as long as its last filled slot + 1. */
    static long[] decode(byte[] block) {
        ByteBuffer buffer = ByteBuffer.wrap(block);
        int first = buffer.get();
        long[] offsets = new long[SIZE];
        Arrays.fill(offsets, 0, first, NONE);
        int slot = first;
        long offset = 0; // the first offset is written as itself, its difference to 0
        while (buffer.hasRemaining()) {
            offset += ByteUtils.readVarlong(buffer);
            offsets[slot++] = offset;
        }
        return Arrays.copyOf(offsets, slot);
    }
}
