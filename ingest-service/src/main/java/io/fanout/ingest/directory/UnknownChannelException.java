package io.fanout.ingest.directory;

/** No event of the channel has been published (or the directory has not processed one yet). */
class UnknownChannelException extends RuntimeException {

    UnknownChannelException(String channel) {
        super("no event of channel '" + channel + "' is known to the directory");
    }
}
