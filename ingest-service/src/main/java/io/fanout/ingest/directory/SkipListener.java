package io.fanout.ingest.directory;

/** Told about each record the directory leaves out; called on a stream thread, so it must be cheap. */
@FunctionalInterface
interface SkipListener {

    /** Why a record was left out. */
    enum Reason {
        /** The key is missing or not a valid channel name. */
        INVALID_KEY,
        /** The value is missing or not a single-object encoded {@code Event}. */
        UNDECODABLE,
        /** An offset at or before the channel's last one: a redelivery (only possible without exactly-once). */
        REDELIVERED
    }

    void skipped(Reason reason);
}
