package dev.filetrail.streams.deadletters;

import dev.filetrail.events.Json;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.SerializationException;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProcessingExceptionHandler;
import org.apache.kafka.streams.processor.api.Record;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Parks an input the processor could not apply and lets the task go on; fails the task (which Kafka Streams then
 * retries) when the failure came from Kafka or a store rather than from the record.
 */
public final class ApplyFailureHandler extends RecorderConfigured implements ProcessingExceptionHandler {
    private static final Logger log = LoggerFactory.getLogger(ApplyFailureHandler.class);

    @Override
    public Response handleError(ErrorHandlerContext context, Record<?, ?> record, Exception exception) {
        if (!aboutTheRecord(exception)) {
            log.warn("streams processing failed, the record is retried topic={} partition={} offset={} task={} error={}",
                    context.topic(), context.partition(), context.offset(), context.taskId(), exception.toString());
            return Response.fail();
        }
        byte[] key = context.sourceRawKey();
        byte[] value = context.sourceRawValue();
        if (record == null && value == null) {
            // A punctuation, not a record: nothing to park. It only reclaims space and runs again.
            log.error("streams punctuation failed, skipped until the next one node={} task={}",
                    context.processorNodeId(), context.taskId(), exception);
            return Response.resume();
        }
        var source = new DeadLetterRecorder.Source(context.topic(), context.partition(), context.offset(),
                context.timestamp(), context.headers());
        if (value == null) {
            // Kafka Streams drops the raw bytes once an output is sent; the processor sends its outputs last, so
            // this is only reached if that changes. The decoded record is the next best thing to keep.
            key = record.key() == null ? null : String.valueOf(record.key()).getBytes(StandardCharsets.UTF_8);
            value = record.value() instanceof byte[] bytes ? bytes : Json.write(record.value());
            var headers = new org.apache.kafka.common.header.internals.RecordHeaders(context.headers().toArray());
            headers.add(DeadLetterRecorder.HEADER_REENCODED, "true".getBytes(StandardCharsets.UTF_8));
            source = new DeadLetterRecorder.Source(source.topic(), source.partition(), source.offset(),
                    source.timestamp(), headers);
        }
        return Response.resume(List.of(recorder.letter(DeadLetterKind.APPLY, source, key, value, exception)));
    }

    /**
     * Kafka's own exceptions (a store, the producer, the broker, a rebalance) say nothing about the record being
     * processed: parking it would lose a good record, so the task must fail and retry. Everything else thrown while
     * a record is applied (the topology's {@code BadInputException}, or a bug met by this record's data) is about
     * the record.
     */
    private static boolean aboutTheRecord(Exception e) {
        return !(e instanceof KafkaException) || e instanceof SerializationException;
    }
}
