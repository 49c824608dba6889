package io.fanout.client;

/**
 * Ends a subscription that met a {@link Gap} with no {@link SubscribeOptions#onGap} callback: gaps are never passed
 * over silently. {@link #resumeFrom()} is the position to subscribe again from to accept the gap and carry on
 * ({@code SubscribeOptions.from(e.resumeFrom())}).
 */
public class GapException extends FanoutException {

    private final Gap gap;
    private final String resumeFrom;

    public GapException(Gap gap, String resumeFrom) {
        super(describe(gap) + "; resume with from=" + resumeFrom + " to carry on");
        this.gap = gap;
        this.resumeFrom = resumeFrom;
    }

    private static String describe(Gap gap) {
        if (gap.detected()) {
            return "events lost: " + gap.missed() + " of channel " + gap.channel() + " from " + gap.origin()
                    + " never came (seq " + (gap.firstSeq() - gap.missed()) + ".." + (gap.firstSeq() - 1) + ")";
        }
        if (gap.channel() != null && gap.lost() >= 0) {
            return "events lost: " + gap.lost() + " of channel " + gap.channel() + " are no longer kept";
        }
        return "events lost: partition " + gap.partition() + " offsets " + gap.requested() + ".." + (gap.earliest() - 1)
                + " are no longer kept";
    }

    public Gap gap() {
        return gap;
    }

    public String resumeFrom() {
        return resumeFrom;
    }
}
