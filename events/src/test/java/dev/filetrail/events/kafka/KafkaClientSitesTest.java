package dev.filetrail.events.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.importer.ClassFileImporter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KafkaClientSitesTest {

    @Test
    void eventsBuildsKafkaClientsOnlyInKafkaClientSettings() {
        KafkaClientSites.assertModule("dev.filetrail.events", KafkaClientSettings.class, KafkaClientSitesTest.class);
    }

    @Test
    void theRuleCatchesAClientBuiltFromBootstrapServersAlone(@TempDir Path dir) throws Exception {
        // Compiled here rather than kept as a source file, so no class in the repository breaks the rule.
        Path source = dir.resolve("Rogue.java");
        Files.writeString(source, String.join("\n",
                "import java.util.Map;",
                "import org.apache.kafka.clients.producer.KafkaProducer;",
                "public class Rogue {",
                "  Object connect() {",
                "    return new KafkaProducer<String, String>(Map.of(\"bootstrap.servers\", \"b:9092\"));",
                "  }",
                "  Object admin() {",
                "    return org.apache.kafka.clients.admin.Admin.create(Map.of(\"bootstrap.servers\", \"b:9092\"));",
                "  }",
                "}"), StandardCharsets.UTF_8);
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        String kafkaJar = Path.of(KafkaProducer.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
        int exit = javac.run(null, null, null, "-classpath", kafkaJar, "-d", dir.toString(), source.toString());
        assertThat(exit).isZero();

        var result = KafkaClientSites.evaluate(new ClassFileImporter().importPath(dir));
        assertThat(result.hasViolation()).isTrue();
        List<String> lines = result.getFailureReport().getDetails();
        assertThat(lines).anyMatch(line -> line.contains("Rogue.connect()") && line.contains("KafkaProducer.<init>"));
        assertThat(lines).anyMatch(line -> line.contains("Rogue.admin()") && line.contains("Admin.create"));
    }
}
