package dev.filetrail.events;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.library.dependencies.SliceRule;
import java.util.List;

/**
 * The architecture rules every module's tests check on its main code: a service module depends on no other
 * Filetrail module but {@code events/} (only the launcher and the local stack assemble modules), and no two
 * packages of a module import each other, directly or around a cycle.
 */
public final class ModuleArchitecture {
    /** The root packages of the modules that assemble others. */
    private static final List<String> ASSEMBLERS = List.of("dev.filetrail.launcher", "dev.filetrail.local");
    /**
     * Modules that may use one more module besides events: the CDK app builds the journal connector's configuration
     * with deploy/journal's own code (plain strings; its Maven dependency excludes all of that module's libraries),
     * so that MSK Connect gets the properties the local worker runs with.
     */
    private static final java.util.Map<String, List<String>> ALSO_USES = java.util.Map.of(
            "dev.filetrail.aws", List.of("dev.filetrail.journal"));

    private ModuleArchitecture() {
    }

    /** Classes of {@code root} depend on no Filetrail package but their own and {@code dev.filetrail.events}. */
    public static ArchRule onlyEvents(String root) {
        List<String> also = ALSO_USES.getOrDefault(root, List.of());
        return noClasses().that().resideInAPackage(root + "..")
                .should().dependOnClassesThat(com.tngtech.archunit.base.DescribedPredicate.describe(
                        "are in another Filetrail module than events", (com.tngtech.archunit.core.domain.JavaClass c) ->
                                c.getPackageName().startsWith("dev.filetrail.")
                                        && !c.getPackageName().equals(root) && !c.getPackageName().startsWith(root + ".")
                                        && !c.getPackageName().equals("dev.filetrail.events")
                                        && !c.getPackageName().startsWith("dev.filetrail.events.")
                                        && also.stream().noneMatch(m -> c.getPackageName().equals(m)
                                                || c.getPackageName().startsWith(m + "."))))
                .as("module " + root + " depends only on events/" + (also.isEmpty() ? "" : " and " + also)
                        + " among Filetrail's modules");
    }

    /** The packages under {@code root} (each with its subpackages) form no dependency cycle. */
    public static SliceRule noCycles(String root) {
        return slices().matching(root + ".(*)..").should().beFreeOfCycles()
                .as("the packages of " + root + " are free of cycles");
    }

    /** The main classes of {@code root} (tests excluded), checked to contain {@code mainClass}. */
    public static JavaClasses mainClasses(String root, Class<?> mainClass) {
        JavaClasses imported = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages(root);
        assertThat(imported.contain(mainClass)).as("main code of %s imported", root).isTrue();
        return imported;
    }

    /**
     * Checks a module's main code: no package cycles, and (unless it is the launcher or the local stack, which
     * assemble the services) no dependency on another Filetrail module but events.
     */
    public static void assertModule(String root, Class<?> mainClass) {
        JavaClasses classes = mainClasses(root, mainClass);
        noCycles(root).check(classes);
        if (!ASSEMBLERS.contains(root) && !root.equals("dev.filetrail.events")) {
            onlyEvents(root).check(classes);
        }
    }
}
