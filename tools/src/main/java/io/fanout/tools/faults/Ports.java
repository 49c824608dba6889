package io.fanout.tools.faults;

import picocli.CommandLine.Option;

/** The two services of the platform under test, on 127.0.0.1 (a picocli mixin). */
final class Ports {

    @Option(names = "--ingest-port", required = true, description = "ingest-service's HTTP port")
    int ingest;

    @Option(names = "--fanout-port", required = true, description = "fanout-service's HTTP port")
    int fanout;

    String ingestUrl() {
        return "http://127.0.0.1:" + ingest;
    }

    /** fanout-service's base URL for {@link io.fanout.tools.net.WsConnector}. */
    String fanoutWsUrl() {
        return "ws://127.0.0.1:" + fanout;
    }

    String eventsUrl(String query) {
        return "ws://127.0.0.1:" + fanout + "/events?" + query;
    }
}
