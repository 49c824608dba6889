package io.fanout.ingest.directory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fanout.ingest.IngestApplication;
import io.fanout.schemas.EventCodec;
import io.fanout.schemas.Topics;
import io.fanout.schemas.avro.Event;
import io.fanout.testsupport.TestKafka;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.web.reactive.function.client.WebClient;

/**
 * Not a test but a measurement, run on demand ({@code -Dfanout.directory.measure=true}): how far behind the
 * log the directory runs while 50,000 events are published as fast as one producer can, what they cost it
 * (its stream thread's CPU time and the records its changelogs received, per event), and what
 * {@code last=10} costs on a quiet channel that shares its partition with a busy one, through the
 * recent-offsets index and by reading the partition backwards without it. Prints its figures.
 */
@EnabledIfSystemProperty(named = "fanout.directory.measure", matches = "true")
@SpringBootTest(
        classes = IngestApplication.class,
        webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT,
        properties = {"spring.config.name=ingest-service", "logging.level.org.apache.kafka=WARN"})
class DirectoryLoadMeasurementIT {

    private static final Logger log = LoggerFactory.getLogger(DirectoryLoadMeasurementIT.class);
    private static final int PARTITIONS = 12;
    private static final int EVENTS = Integer.getInteger("fanout.directory.measure.events", 50_000);
    private static final int CHANNELS = 1_000;
    private static final String TOPIC = TestKafka.newTopic("directory-load", PARTITIONS);
    private static final String APPLICATION_ID = "directory-load-" + System.nanoTime();

    @DynamicPropertySource
    static void kafka(DynamicPropertyRegistry registry) throws Exception {
        registry.add("spring.kafka.bootstrap-servers", TestKafka::bootstrapServers);
        registry.add("fanout.topic", () -> TOPIC);
        registry.add("fanout.directory.application-id", () -> APPLICATION_ID);
        registry.add("fanout.directory.state-dir", Files.createTempDirectory("directory-load")::toString);
    }

    @LocalServerPort
    int port;

    @Autowired
    MeterRegistry meters;

    @Autowired
    DirectoryStreams streams;

    @Test
    void measure() throws Exception {
        await().atMost(Duration.ofSeconds(60))
                .until(() -> streams.state() == org.apache.kafka.streams.KafkaStreams.State.RUNNING);
        String busy = "load.busy";
        int partition = partitionOf(busy);
        String quiet = null;
        for (int i = 0; quiet == null; i++) {
            if (partitionOf("load.quiet" + i) == partition) {
                quiet = "load.quiet" + i;
            }
        }

        // 1. lag while publishing: 10 quiet events first, then EVENTS spread over CHANNELS channels, a fifth
        //    of them to the busy channel in the quiet one's partition
        List<Long> lagSamples = new ArrayList<>();
        AtomicBoolean sampling = new AtomicBoolean(true);
        Thread sampler = new Thread(
                () -> {
                    while (sampling.get()) {
                        double lag = meters.get("fanout.directory.lag").gauge().value();
                        if (!Double.isNaN(lag)) {
                            lagSamples.add((long) lag);
                        }
                        try {
                            Thread.sleep(100);
                        } catch (InterruptedException e) {
                            return;
                        }
                    }
                },
                "lag-sampler");
        long busyCount;
        long lastAcked;
        long cpuBefore = DirectoryCosts.streamThreadCpuNanos(APPLICATION_ID);
        long started = System.nanoTime();
        try (KafkaProducer<String, byte[]> producer = producer()) {
            for (int i = 0; i < 10; i++) {
                send(producer, quiet).get();
            }
            sampler.start();
            List<Future<RecordMetadata>> acks = new ArrayList<>(EVENTS);
            busyCount = 0;
            for (int i = 0; i < EVENTS; i++) {
                String channel = i % 5 == 0 ? busy : "load.c" + (i % CHANNELS);
                busyCount += channel.equals(busy) ? 1 : 0;
                acks.add(send(producer, channel));
            }
            producer.flush();
            for (Future<RecordMetadata> ack : acks) {
                ack.get();
            }
            lastAcked = System.nanoTime();
        }
        double publishSeconds = (lastAcked - started) / 1e9;
        WebClient http = WebClient.create("http://localhost:" + port);
        long expectedBusy = busyCount;
        await().atMost(Duration.ofMinutes(5))
                .pollInterval(Duration.ofMillis(20))
                .until(() -> {
                    Map<?, ?> info = http.get()
                            .uri("/channels/{name}", busy)
                            .retrieve()
                            .bodyToMono(Map.class)
                            .onErrorResume(e -> reactor.core.publisher.Mono.empty())
                            .block();
                    return info != null && ((Number) info.get("count")).longValue() == expectedBusy;
                });
        long caughtUp = System.nanoTime();
        long cpu = DirectoryCosts.streamThreadCpuNanos(APPLICATION_ID) - cpuBefore;
        Thread.sleep(500);
        sampling.set(false);
        sampler.join();
        long maxLag = lagSamples.stream().mapToLong(Long::longValue).max().orElse(-1);
        double meanLag =
                lagSamples.stream().mapToLong(Long::longValue).average().orElse(-1);
        log.info(
                "MEASURE published {} events in {} s ({} events/s); directory caught up {} ms after the last ack; "
                        + "lag gauge over {} samples: max {} records, mean {} records",
                EVENTS,
                String.format("%.2f", publishSeconds),
                Math.round(EVENTS / publishSeconds),
                (caughtUp - lastAcked) / 1_000_000,
                lagSamples.size(),
                maxLag,
                Math.round(meanLag));
        DirectoryCosts.awaitCommittedToEnd(APPLICATION_ID, TOPIC, PARTITIONS, Duration.ofMinutes(2));
        StringBuilder changelogs = new StringBuilder();
        for (String store : List.of(
                DirectoryTopology.STATS_STORE,
                DirectoryTopology.INDEX_STORE,
                DirectoryTopology.RATE_STORE,
                DirectoryTopology.PROGRESS_STORE)) {
            long records = DirectoryCosts.records(DirectoryCosts.changelog(APPLICATION_ID, store), key -> true);
            changelogs.append(String.format(" %s %d (%.3f per event);", store, records, (double) records / EVENTS));
        }
        log.info(
                "MEASURE directory stream thread CPU while publishing and catching up: {} us per event; "
                        + "changelog records:{}",
                String.format("%.1f", cpu / 1000.0 / EVENTS),
                changelogs);

        // 2. at rest: from the ack of one event to the directory answering with it
        long[] restMillis = new long[20];
        try (KafkaProducer<String, byte[]> producer = producer()) {
            for (int i = 0; i < restMillis.length; i++) {
                long t = System.nanoTime();
                long offset = send(producer, "load.probe").get().offset();
                await().atMost(Duration.ofSeconds(30))
                        .pollInterval(Duration.ofMillis(2))
                        .until(() -> {
                            Map<?, ?> info = http.get()
                                    .uri("/channels/load.probe")
                                    .retrieve()
                                    .bodyToMono(Map.class)
                                    .onErrorResume(e -> reactor.core.publisher.Mono.empty())
                                    .block();
                            return info != null && ((Number) info.get("lastOffset")).longValue() == offset;
                        });
                restMillis[i] = (System.nanoTime() - t) / 1_000_000;
            }
        }
        Arrays.sort(restMillis);
        log.info(
                "MEASURE at rest, publish to visible in /channels/{name}: median {} ms, max {} ms",
                restMillis[10],
                restMillis[19]);

        // 3. GET /channels/{quiet}/recent?limit=10: latency of the HTTP answer
        String uri = "/channels/" + quiet + "/recent?limit=10";
        for (int i = 0; i < 300; i++) {
            http.get().uri(uri).retrieve().bodyToMono(String.class).block();
        }
        long[] httpMicros = new long[1000];
        for (int i = 0; i < httpMicros.length; i++) {
            long t = System.nanoTime();
            http.get().uri(uri).retrieve().bodyToMono(String.class).block();
            httpMicros[i] = (System.nanoTime() - t) / 1000;
        }
        Arrays.sort(httpMicros);
        log.info(
                "MEASURE GET {}: p50 {} us, p90 {} us, p99 {} us, max {} us",
                uri,
                httpMicros[500],
                httpMicros[900],
                httpMicros[990],
                httpMicros[999]);

        // the same answer in-process, without HTTP: the store work alone
        int quietPartition = partition;
        String quietName = quiet;
        for (int i = 0; i < 2_000; i++) {
            streams.reader(quietPartition).recent(quietName, 10);
        }
        long t0 = System.nanoTime();
        int queries = 20_000;
        for (int i = 0; i < queries; i++) {
            streams.reader(quietPartition).recent(quietName, 10);
        }
        log.info(
                "MEASURE recent(limit=10) in-process (store reads only): {} us per query",
                String.format("%.1f", (System.nanoTime() - t0) / 1000.0 / queries));

        // 4. last=10 of the quiet channel: index + one seek, against a backward read of its partition
        TopicPartition tp = new TopicPartition(TOPIC, partition);
        try (KafkaConsumer<String, byte[]> consumer = consumer()) {
            consumer.assign(List.of(tp));
            long end = consumer.endOffsets(List.of(tp)).get(tp);
            List<Long> viaIndex = null;
            List<Long> viaScan = null;
            long[] indexMicros = new long[20];
            long[] scanMicros = new long[20];
            long scanned = 0;
            for (int round = 0; round < indexMicros.length; round++) {
                long t = System.nanoTime();
                viaIndex = lastViaIndex(http, consumer, tp, quiet);
                indexMicros[round] = (System.nanoTime() - t) / 1000;
                t = System.nanoTime();
                long[] counter = new long[1];
                viaScan = lastViaBackwardScan(consumer, tp, end, quiet, 10, counter);
                scanMicros[round] = (System.nanoTime() - t) / 1000;
                scanned = counter[0];
            }
            assertThat(viaIndex).isEqualTo(viaScan).hasSize(10);
            Arrays.sort(indexMicros);
            Arrays.sort(scanMicros);
            log.info(
                    "MEASURE last=10 of {} (10 events, partition {} holds {} records): via index + one seek: "
                            + "median {} ms; backward scan without index: median {} ms ({} records read)",
                    quiet,
                    partition,
                    end,
                    indexMicros[10] / 1000.0,
                    scanMicros[10] / 1000.0,
                    scanned);
        }
    }

    /** The way a subscriber would do it with the directory: ask for the offsets, seek once, read forward. */
    private static List<Long> lastViaIndex(
            WebClient http, KafkaConsumer<String, byte[]> consumer, TopicPartition tp, String channel) {
        Map<?, ?> recent = http.get()
                .uri("/channels/{name}/recent?limit=10", channel)
                .retrieve()
                .bodyToMono(Map.class)
                .block();
        List<Long> offsets = ((List<?>) recent.get("offsets"))
                .stream().map(o -> ((Number) o).longValue()).toList();
        consumer.seek(tp, offsets.get(0));
        List<Long> read = new ArrayList<>();
        long last = offsets.get(offsets.size() - 1);
        while (read.isEmpty() || read.get(read.size() - 1) < last) {
            for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                if (record.key().equals(channel) && record.offset() <= last) {
                    read.add(record.offset());
                }
            }
        }
        return read;
    }

    /** Without the index: read chunks of the partition from the end backwards until n events of the channel. */
    private static List<Long> lastViaBackwardScan(
            KafkaConsumer<String, byte[]> consumer,
            TopicPartition tp,
            long end,
            String channel,
            int n,
            long[] scanned) {
        List<Long> found = new ArrayList<>();
        long chunk = 1_000;
        long upTo = end;
        while (found.size() < n && upTo > 0) {
            long from = Math.max(0, upTo - chunk);
            consumer.seek(tp, from);
            List<Long> inChunk = new ArrayList<>();
            boolean done = false;
            while (!done) {
                for (ConsumerRecord<String, byte[]> record : consumer.poll(Duration.ofMillis(500))) {
                    if (record.offset() >= upTo) {
                        done = true;
                        break;
                    }
                    scanned[0]++;
                    if (record.key().equals(channel)) {
                        inChunk.add(record.offset());
                    }
                }
                done |= consumer.position(tp) >= upTo;
            }
            found.addAll(0, inChunk);
            upTo = from;
            chunk *= 2;
        }
        return found.subList(Math.max(0, found.size() - n), found.size());
    }

    private static Future<RecordMetadata> send(KafkaProducer<String, byte[]> producer, String channel) {
        long now = System.currentTimeMillis();
        Event event = new Event(UUID.randomUUID().toString(), channel, "{\"n\":1}", Instant.ofEpochMilli(now), 0L);
        return producer.send(new ProducerRecord<>(TOPIC, null, now, channel, EventCodec.encode(event)));
    }

    private static int partitionOf(String channel) {
        return Topics.partitionOf(channel, PARTITIONS);
    }

    private static KafkaProducer<String, byte[]> producer() {
        return new KafkaProducer<>(
                Map.of(
                        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                        TestKafka.bootstrapServers(),
                        ProducerConfig.ACKS_CONFIG,
                        "all",
                        ProducerConfig.LINGER_MS_CONFIG,
                        5,
                        ProducerConfig.COMPRESSION_TYPE_CONFIG,
                        "lz4"),
                new StringSerializer(),
                new ByteArraySerializer());
    }

    private static KafkaConsumer<String, byte[]> consumer() {
        return new KafkaConsumer<>(
                Map.of(
                        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                        TestKafka.bootstrapServers(),
                        ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                        "read_committed",
                        ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG,
                        false,
                        ConsumerConfig.MAX_POLL_RECORDS_CONFIG,
                        2_000),
                new StringDeserializer(),
                new ByteArrayDeserializer());
    }
}
