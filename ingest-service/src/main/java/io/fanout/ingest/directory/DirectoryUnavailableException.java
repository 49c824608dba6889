package io.fanout.ingest.directory;

/** The directory cannot answer right now (starting, rebalancing, owner unreachable); worth a retry. */
class DirectoryUnavailableException extends RuntimeException {

    DirectoryUnavailableException(String message) {
        super(message);
    }

    DirectoryUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
