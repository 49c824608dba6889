package io.fanout.bench;

import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;
import reactor.netty.http.client.HttpClient;
import reactor.netty.http.client.WebsocketClientSpec;
import reactor.netty.resources.ConnectionProvider;
import reactor.netty.resources.LoopResources;

/**
 * Opens WebSocket subscriptions to fanout-service's {@code /events}. Connections are not pooled;
 * after {@code perSourceIp} of them the next ones bind to the next source address 127.0.0.x, so
 * that more connections than one address has ephemeral ports can be opened.
 */
final class WsClients {

  private static final WebsocketClientSpec SPEC = WebsocketClientSpec.builder()
      .maxFramePayloadLength(1 << 20)
      .handlePing(false)
      .build();

  private final String base;
  private final int perSourceIp;
  private final List<HttpClient> clients = new ArrayList<>();
  private final LoopResources loops;
  private final AtomicInteger opened = new AtomicInteger();

  WsClients(LoopResources loops, String fanoutUrl, int perSourceIp) {
    this.loops = loops;
    this.base = fanoutUrl.endsWith("/") ? fanoutUrl.substring(0, fanoutUrl.length() - 1) : fanoutUrl;
    this.perSourceIp = Math.max(1, perSourceIp);
  }

  private HttpClient client(int index) {
    int ip = index / perSourceIp;
    synchronized (clients) {
      while (clients.size() <= ip) {
        int n = clients.size();
        HttpClient c = HttpClient.create(ConnectionProvider.newConnection()).runOn(loops)
            .responseTimeout(Duration.ofSeconds(30));
        if (n > 0) {
          // 127.0.0.1 is the kernel's default source; then 127.0.0.2, .3, ...
          String host = URI.create(base).getHost();
          if (host.startsWith("127.")) {
            String src = "127.0." + ((n + 1) / 256) + "." + ((n + 1) % 256);
            c = c.bindAddress(() -> new InetSocketAddress(src, 0));
          }
        }
        clients.add(c);
      }
      return clients.get(ip);
    }
  }

  /**
   * Connects sub to /events?{query}. Completes with true once the handshake is done, false if it
   * failed or took longer than timeout (the attempt is then abandoned).
   */
  Mono<Boolean> connect(Sub sub, String query, Duration timeout) {
    int index = opened.getAndIncrement();
    Sinks.One<Boolean> up = Sinks.one();
    sub.disposable = client(index).websocket(SPEC).uri(base + "/events?" + query)
        .handle((in, out) -> {
          // the aggregator first, so that the handler sees whole (possibly fragmented) frames
          in.aggregateFrames(1 << 20);
          in.withConnection(c -> c.addHandlerLast("bench-frames", new Sub.FrameHandler(sub)));
          sub.connected = true;
          up.tryEmitValue(true);
          in.receiveCloseStatus().subscribe(s -> {
            sub.closeCode = s.code();
            sub.closeReason = s.reasonText();
          });
          // Frames decoded before the handler above was in place (e.g. history sent right behind
          // the handshake response) arrive here instead; everything after goes to the handler.
          return in.receiveFrames()
              .doOnNext(f -> {
                if (f instanceof TextWebSocketFrame) {
                  Sub.FrameHandler.consume(sub, f.content());
                }
              })
              .then();
        })
        .subscribe(v -> { }, err -> {
          sub.error = err.getClass().getSimpleName() + ": " + err.getMessage();
          sub.closed = true;
          up.tryEmitValue(false);
        }, () -> {
          sub.closed = true;
          up.tryEmitValue(false);
        });
    return up.asMono().timeout(timeout, Mono.fromSupplier(() -> {
      sub.error = "handshake timeout";
      sub.close();
      return false;
    }));
  }

  /** Connects all, at most concurrency handshakes at a time; returns how many succeeded. */
  int connectAll(List<Sub> subs, java.util.function.IntFunction<String> queryOf, int concurrency,
      Duration eachTimeout, Duration overall) {
    Long ok = Flux.range(0, subs.size())
        .flatMap(i -> connect(subs.get(i), queryOf.apply(i), eachTimeout), Math.max(1, concurrency))
        .filter(b -> b)
        .count()
        .block(overall);
    return ok == null ? 0 : ok.intValue();
  }

  /** Closes all and waits (bounded) until their channels are inactive. */
  static int closeAll(List<Sub> subs, Duration wait) {
    for (Sub s : subs) {
      s.close();
    }
    long deadline = System.nanoTime() + wait.toNanos();
    int open;
    do {
      open = 0;
      for (Sub s : subs) {
        if (s.connected && !s.closed) {
          open++;
        }
      }
      if (open == 0) {
        return 0;
      }
      sleep(50);
    } while (System.nanoTime() < deadline);
    return open;
  }

  static void sleep(long millis) {
    try {
      TimeUnit.MILLISECONDS.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
