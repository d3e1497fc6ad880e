package dev.filetrail.streams.deadletters;

import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.streams.errors.DeserializationExceptionHandler;
import org.apache.kafka.streams.errors.ErrorHandlerContext;

/** Parks an input whose bytes are not a record of its topic's type, and lets the task go on. */
public final class DecodeFailureHandler extends RecorderConfigured implements DeserializationExceptionHandler {
    @Override
    public Response handleError(ErrorHandlerContext context, ConsumerRecord<byte[], byte[]> record,
                                Exception exception) {
        // Decoding depends only on the bytes: the same record would fail the same way on every retry.
        return Response.resume(List.of(recorder.letter(DeadLetterKind.DECODE, new DeadLetterRecorder.Source(
                record.topic(), record.partition(), record.offset(), record.timestamp(), record.headers()),
                record.key(), record.value(), exception)));
    }
}
