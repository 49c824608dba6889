package io.fanout.common.publish;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Kafka's {@link MockProducer} (records completed by hand: {@code completeNext}, {@code errorNext}) whose
 * {@code send} returns only once the test opens the gate: it stands for a producer whose {@code send} blocks
 * (metadata missing, buffer full). Each send takes the record first, then waits for one permit, outside the
 * producer's lock so that the test can complete records meanwhile.
 */
final class GatedProducer extends MockProducer<String, byte[]> {

    private final Semaphore gate = new Semaphore(0);
    private final List<String> sendThreads = new CopyOnWriteArrayList<>();

    GatedProducer(boolean open) {
        super(false, null, new StringSerializer(), new ByteArraySerializer());
        if (open) {
            gate.release(Integer.MAX_VALUE / 2);
        }
    }

    /** Lets every waiting and future send return. */
    void open() {
        gate.release(Integer.MAX_VALUE / 2);
    }

    /** The name of the thread that called each {@code send}, in order. */
    List<String> sendThreads() {
        return List.copyOf(sendThreads);
    }

    @Override
    public Future<RecordMetadata> send(ProducerRecord<String, byte[]> record, Callback callback) {
        sendThreads.add(Thread.currentThread().getName());
        Future<RecordMetadata> sent = super.send(record, callback);
        gate.acquireUninterruptibly();
        return sent;
    }
}
