package dev.filetrail.streams.deadletters;

import java.util.List;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RetriableException;
import org.apache.kafka.streams.errors.ErrorHandlerContext;
import org.apache.kafka.streams.errors.ProductionExceptionHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An output that cannot be serialized parks the input it came from. An output the producer or broker refused is
 * retried when the error is retriable and fails the task otherwise: under exactly-once a refused send aborts the
 * whole transaction whatever a handler answers, so skipping it is not an option (the processor refuses outputs
 * too large for Kafka before sending them, which is the refusal a record can cause).
 */
public final class OutputFailureHandler extends RecorderConfigured implements ProductionExceptionHandler {
    private static final Logger log = LoggerFactory.getLogger(OutputFailureHandler.class);

    @Override
    public Response handleError(ErrorHandlerContext context, ProducerRecord<byte[], byte[]> record,
                                Exception exception) {
        if (exception instanceof RetriableException) {
            return Response.retry();
        }
        log.error("streams output refused, the task fails and retries outputTopic={} task={} error={}", record.topic(),
                context.taskId(), exception.toString());
        return Response.fail();
    }

    @Override
    @SuppressWarnings("rawtypes")
    public Response handleSerializationError(ErrorHandlerContext context, ProducerRecord record, Exception exception,
                                             SerializationExceptionOrigin origin) {
        if (context.sourceRawValue() == null) {
            log.error("streams output cannot be serialized and its input's bytes are gone, the task fails "
                    + "topic={} partition={} offset={} outputTopic={}", context.topic(), context.partition(),
                    context.offset(), record.topic(), exception);
            return Response.fail();
        }
        return Response.resume(List.of(recorder.letter(DeadLetterKind.PRODUCE, new DeadLetterRecorder.Source(
                context.topic(), context.partition(), context.offset(), context.timestamp(), context.headers()),
                context.sourceRawKey(), context.sourceRawValue(), exception)));
    }
}
