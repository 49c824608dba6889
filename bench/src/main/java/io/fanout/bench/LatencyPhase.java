package io.fanout.bench;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;

/**
 * Latency at a fixed moderate rate: one POST /push per event at rate / (subscribers per channel)
 * publishes/s, round-robin over the channels. Each event carries its intended send time (the
 * schedule's, so a stalled publisher does not hide latency: no coordinated omission), and the
 * generator, which also receives, records deliver time minus that.
 */
final class LatencyPhase {
  private LatencyPhase() {}

  static PhaseResult run(Ctx ctx) {
    Options o = ctx.o();
    int s = o.integer("lat-subscribers");
    int k = o.integer("lat-channels");
    int rate = o.integer("lat-rate");
    int seconds = o.integer("lat-seconds");
    int warmup = o.integer("lat-warmup-seconds");
    int maxInFlight = 256;

    SubscriberGroup g = new SubscriberGroup(ctx, ctx.prefix("lat"), s, k);
    Publisher p = ctx.publisher(64);
    g.connect();
    g.awaitReady(p, Duration.ofSeconds(20));
    double perChannel = g.readyPerChannel();
    double publishRate = rate / perChannel;
    long period = Math.max(1, (long) (1e9 / publishRate));

    AtomicInteger inFlight = new AtomicInteger();
    long skipped = 0;
    long t0 = System.nanoTime();
    long measureFrom = t0 + warmup * 1_000_000_000L;
    long end = measureFrom + seconds * 1_000_000_000L;
    g.tally.recordFrom = measureFrom;
    ProcMonitor.Window w = null;
    boolean measuring = false;
    long i = 0;
    long sent = 0;
    while (true) {
      long now = System.nanoTime();
      if (!measuring && now >= measureFrom) {
        measuring = true;
        w = ctx.monitor().begin();
        p.ackLatency.getIntervalHistogram(); // drop the warm-up's
      }
      long due = t0 + i * period;
      if (due >= end) {
        break;
      }
      if (now < due) {
        LockSupport.parkNanos(Math.min(due - now, 200_000));
        continue;
      }
      i++;
      if (inFlight.get() >= maxInFlight) {
        skipped++; // the platform does not keep up; the schedule moves on
        continue;
      }
      inFlight.incrementAndGet();
      sent++;
      p.pushOne(g.channels, due, ok -> inFlight.decrementAndGet());
    }
    if (w == null) {
      w = ctx.monitor().begin();
    }
    long pubEnd = System.nanoTime();
    long deadline = pubEnd + 15_000_000_000L;
    while (inFlight.get() > 0 && System.nanoTime() < deadline) {
      WsClients.sleep(10);
    }
    g.drain(System.nanoTime(), Duration.ofSeconds(3), Duration.ofSeconds(15));
    ProcMonitor.Usage u = w.end();
    Histogram lat = g.tally.latency.getIntervalHistogram();
    Histogram ack = p.ackLatency.getIntervalHistogram();
    Map<String, Object> counts = g.closeAndCount();
    double measuredDeliveryRate = lat.getTotalCount() / (double) seconds;

    Map<String, Object> f = new LinkedHashMap<>();
    f.put("channels", k);
    f.put("targetDeliveriesPerSecond", rate);
    f.put("publishesPerSecondTarget", Fmt.r3(publishRate));
    f.put("measuredSeconds", seconds);
    f.put("warmupSeconds", warmup);
    f.put("measuredDeliveriesPerSecond", Math.round(measuredDeliveryRate));
    f.put("eventsSent", sent);
    f.put("eventsSkippedTooManyInFlight", skipped);
    f.put("eventsFailed", p.failedEvents.sum());
    f.put("publishFailures", p.failures());
    f.putAll(counts);
    f.put("latency", Lat.json(lat));
    f.put("ackLatency", Lat.json(ack));
    f.put("usage", u.json());

    String line = String.format(
        "latency: %d subs x %d ch, %s publishes/s -> %s deliveries/s measured over %ds | %s | %s"
            + " | lost=%d dup=%d ooo=%d skipped=%d failed=%d | %s",
        s, k, Fmt.f0(publishRate), Fmt.si(measuredDeliveryRate), seconds, Lat.line("publish->deliver", lat),
        Lat.line("POST /push ack", ack), counts.get("lost"), counts.get("duplicated"), counts.get("outOfOrder"),
        skipped, p.failedEvents.sum(), u.line());
    return new PhaseResult("latency", line, f);
  }
}
