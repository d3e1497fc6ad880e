package dev.filetrail.lambda.s3event;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import dev.filetrail.embedded.junit.RealParts;
import dev.filetrail.embedded.s3.EmbeddedS3;
import dev.filetrail.events.Json;
import dev.filetrail.events.processing.ProcessingResult;
import dev.filetrail.lambda.corpus.ImageCorpus;
import dev.filetrail.lambda.metadata.MetadataQueueHandler;
import dev.filetrail.lambda.results.CollectingPublisher;
import dev.filetrail.lambda.source.SourceBuckets;
import dev.filetrail.lambda.source.SourceVersion;
import dev.filetrail.lambda.thumbnails.ThumbnailQueueHandler;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(RealParts.class)
class QueueHandlersTest {

    @Test
    void sqsBatchesOfSnsEnvelopesReportOnlyTheBadMessage(EmbeddedS3 s3) {
        SourceBuckets buckets = new SourceBuckets(s3);
        SourceVersion enveloped = buckets.put("queue/a.jpg", ImageCorpus.sample("plain.jpg").bytes());
        SourceVersion raw = buckets.put("queue/b.png", ImageCorpus.sample("alpha.png").bytes());
        List<String> bodies = List.of(
                Json.writeString(LambdaEvents.snsNotification(SourceBuckets.notification(enveloped))),
                SourceBuckets.notification(raw),
                "{\"not\":\"an S3 notification\"}",
                Json.writeString(LambdaEvents.snsNotification(LambdaEvents.testEvent(buckets.source))));
        CollectingPublisher thumbnails = new CollectingPublisher();
        CollectingPublisher metadata = new CollectingPublisher();

        SQSBatchResponse thumbnailResponse = new ThumbnailQueueHandler(buckets.config, buckets.s3For(ProcessingResult.THUMBNAILER), thumbnails)
                .handleRequest(LambdaEvents.sqsEvent(bodies), null);
        SQSBatchResponse metadataResponse = new MetadataQueueHandler(buckets.config, buckets.s3For(ProcessingResult.METADATA), metadata)
                .handleRequest(LambdaEvents.sqsEvent(bodies), null);

        for (SQSBatchResponse response : List.of(thumbnailResponse, metadataResponse)) {
            assertThat(response.getBatchItemFailures())
                    .extracting(SQSBatchResponse.BatchItemFailure::getItemIdentifier)
                    .containsExactly("message-2");
        }
        assertThat(thumbnails.results()).extracting(ProcessingResult::key).containsExactly("queue/a.jpg", "queue/b.png");
        assertThat(thumbnails.results()).allSatisfy(r -> assertThat(r.status()).isEqualTo(ProcessingResult.Status.SUCCEEDED));
        assertThat(metadata.results()).extracting(ProcessingResult::contentType).containsExactly("image/jpeg", "image/png");
    }
}
