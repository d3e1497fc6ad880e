package dev.filetrail.aws.security;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * One AWS SDK call a component made during another module's tests, as deploy/embedded's AwsCallRecorder wrote
 * it to that module's {@code target/aws-calls}; {@code source} names the file, for failure messages.
 */
record RecordedCall(String component, String service, String operation, String region, String arn,
                    boolean versioned, String tags, int status, Path source) {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Every recording under {@code root}'s modules (their {@code target/aws-calls/*.jsonl}). */
    static List<RecordedCall> readAll(Path root) {
        List<RecordedCall> calls = new ArrayList<>();
        for (Path file : files(root)) {
            try {
                for (String line : Files.readAllLines(file)) {
                    if (line.isBlank()) {
                        continue;
                    }
                    JsonNode n = JSON.readTree(line);
                    calls.add(new RecordedCall(n.path("component").asText(), n.path("service").asText(),
                            n.path("operation").asText(), n.path("region").asText(), n.path("arn").asText(),
                            n.path("versioned").asBoolean(), n.path("tags").asText("none"), n.path("status").asInt(),
                            root.relativize(file)));
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the recorded AWS calls in " + file, e);
            }
        }
        return calls;
    }

    /** The recording files: modules sit one or two folders below the root (events/, deploy/local/). */
    static List<Path> files(Path root) {
        try (Stream<Path> found = Files.find(root, 5, (path, attributes) -> attributes.isRegularFile()
                && path.getFileName().toString().endsWith(".jsonl")
                && path.getParent().getFileName().toString().equals("aws-calls")
                && path.getParent().getParent().getFileName().toString().equals("target")
                && !path.toString().contains("node_modules"))) {
            return found.sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot look for recorded AWS calls under " + root, e);
        }
    }

    @Override
    public String toString() {
        return component + " " + service + ":" + operation + " " + arn + (versioned ? " (versionId)" : "")
                + (tags.equals("none") ? "" : " (tags " + tags + ")") + " -> " + status + " [" + source + "]";
    }
}
