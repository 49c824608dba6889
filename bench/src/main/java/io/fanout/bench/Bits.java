package io.fanout.bench;

import java.util.Arrays;

/** A growable bit set of non-negative ints. Not thread-safe. */
final class Bits {
    private long[] words = new long[16];

    /** Sets bit i; returns whether it was set before. */
    boolean testAndSet(int i) {
        int w = i >>> 6;
        if (w >= words.length) {
            words = Arrays.copyOf(words, Math.max(words.length * 2, w + 1));
        }
        long mask = 1L << i;
        boolean was = (words[w] & mask) != 0;
        words[w] |= mask;
        return was;
    }

    int cardinality() {
        int n = 0;
        for (long w : words) {
            n += Long.bitCount(w);
        }
        return n;
    }

    /** |this \ other|: bits set here and not in other. */
    int andNotCount(Bits other) {
        int n = 0;
        for (int i = 0; i < words.length; i++) {
            long o = i < other.words.length ? other.words[i] : 0;
            n += Long.bitCount(words[i] & ~o);
        }
        return n;
    }
}
