package dev.filetrail.events.kafka;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaAccess;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.EvaluationResult;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The architecture rule every module's tests check on its main and test code: Kafka clients (producers,
 * consumers, admin clients, Kafka Streams) are built only by {@link KafkaClientSettings}, so none can connect
 * without the configured security protocol and login.
 */
public final class KafkaClientSites {
    private static final Set<String> CONSTRUCTED = Set.of(
            "org.apache.kafka.clients.producer.KafkaProducer",
            "org.apache.kafka.clients.consumer.KafkaConsumer",
            "org.apache.kafka.clients.consumer.KafkaShareConsumer",
            "org.apache.kafka.streams.KafkaStreams");
    private static final Set<String> FACTORIES = Set.of(
            "org.apache.kafka.clients.admin.Admin",
            "org.apache.kafka.clients.admin.AdminClient");

    private KafkaClientSites() {
    }

    /** The rule: no class but KafkaClientSettings constructs a client, by call or by method reference. */
    public static ArchRule rule() {
        return classes().that().doNotHaveFullyQualifiedName(KafkaClientSettings.class.getName())
                .should(new ArchCondition<JavaClass>("build Kafka clients only through KafkaClientSettings") {
                    @Override
                    public void check(JavaClass item, ConditionEvents events) {
                        List<JavaAccess<?>> accesses = new ArrayList<>();
                        accesses.addAll(item.getConstructorCallsFromSelf());
                        accesses.addAll(item.getConstructorReferencesFromSelf());
                        accesses.addAll(item.getMethodCallsFromSelf());
                        accesses.addAll(item.getMethodReferencesFromSelf());
                        for (JavaAccess<?> access : accesses) {
                            String owner = access.getTargetOwner().getFullName();
                            boolean constructs = CONSTRUCTED.contains(owner) && access.getName().equals("<init>");
                            boolean creates = FACTORIES.contains(owner) && access.getName().equals("create");
                            if (constructs || creates) {
                                events.add(SimpleConditionEvent.violated(access, access.getDescription()));
                            }
                        }
                    }
                });
    }

    public static EvaluationResult evaluate(JavaClasses classes) {
        return rule().evaluate(classes);
    }

    /**
     * Imports every class of {@code packageRoot} on the test class path (the module's main and test classes),
     * checks that both {@code mainClass} and {@code testClass} were among them, and asserts the rule.
     */
    public static void assertModule(String packageRoot, Class<?> mainClass, Class<?> testClass) {
        JavaClasses imported = new ClassFileImporter().importPackages(packageRoot);
        assertThat(imported.contain(mainClass)).as("main code of %s imported", packageRoot).isTrue();
        assertThat(imported.contain(testClass)).as("test code of %s imported", packageRoot).isTrue();
        rule().check(imported);
    }
}
