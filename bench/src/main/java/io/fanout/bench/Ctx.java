package io.fanout.bench;

import java.util.List;
import reactor.netty.resources.LoopResources;

/** What every phase gets: options, event loops, URLs, the process monitor. */
record Ctx(
        Options o,
        LoopResources loops,
        String ingestUrl,
        String fanoutUrl,
        String fanoutHttpUrl,
        ProcMonitor monitor,
        String runId,
        List<String> notes,
        List<Publisher> publishers) {

    /** A publisher for one phase: {@link #closePublishers()} closes its connections when the phase is over. */
    Publisher publisher(int maxConnections) {
        Publisher p = new Publisher(loops, ingestUrl, maxConnections, o.integer("message-bytes"), o.str("token"));
        synchronized (publishers) {
            publishers.add(p);
        }
        return p;
    }

    /**
     * Closes the publishers the phases made: their connections would otherwise stay open to the end of the run, and
     * the connections phase needs all but a few hundred of the generator's open files (20,000 here).
     */
    void closePublishers() {
        synchronized (publishers) {
            publishers.forEach(Publisher::close);
            publishers.clear();
        }
    }

    WsClients ws() {
        return new WsClients(loops, fanoutUrl, o.integer("conn-per-source-ip"));
    }

    WsClients sse() {
        return WsClients.sse(loops, fanoutUrl, o.integer("conn-per-source-ip"));
    }

    /** What subscriptions add to their query: {@code &token=<--token>} when one is given, else nothing. */
    String tokenQuery() {
        String token = o.str("token");
        return token.isBlank() ? "" : "&token=" + token;
    }

    /** Channel-name prefix unique to this run and phase, e.g. bench.k3x9.sat */
    String prefix(String phase) {
        return "bench." + runId + "." + phase;
    }
}
