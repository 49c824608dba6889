package io.fanout.ingest.sequence;

import io.fanout.schemas.Channels;
import io.fanout.schemas.EventCodec;
import io.fanout.schemas.UndecodableEventException;
import io.fanout.schemas.avro.Event;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * Numbers each event of a channel: reads the channel's last {@code seq} (0 when none), writes the next, and forwards
 * the event re-encoded with it (key, timestamp and headers unchanged). A record whose key is not a channel name or
 * whose value is not an Event is left out (only fanout's publishers write the input topic, so this is a stray
 * producer's record). One instance per task, called on that task's stream thread only; nothing is logged per event.
 */
final class SequenceProcessor implements Processor<String, byte[], String, byte[]> {

    private final Runnable skipped;
    private ProcessorContext<String, byte[]> context;
    private KeyValueStore<String, Long> sequences;

    SequenceProcessor(Runnable skipped) {
        this.skipped = skipped;
    }

    @Override
    public void init(ProcessorContext<String, byte[]> context) {
        this.context = context;
        this.sequences = context.getStateStore(SequencerTopology.SEQ_STORE);
    }

    @Override
    public void process(Record<String, byte[]> record) {
        String channel = record.key();
        if (channel == null || !Channels.isValid(channel) || !EventCodec.isEvent(record.value())) {
            skipped.run();
            return;
        }
        Event event;
        try {
            event = EventCodec.decode(record.value());
        } catch (UndecodableEventException e) {
            skipped.run();
            return;
        }
        Long last = sequences.get(channel);
        long seq = last == null ? 1 : last + 1;
        sequences.put(channel, seq);
        event.setSeq(seq);
        context.forward(record.withValue(EventCodec.encode(event)));
    }
}
