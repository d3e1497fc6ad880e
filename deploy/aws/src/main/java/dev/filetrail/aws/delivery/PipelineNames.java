package dev.filetrail.aws.delivery;

import java.util.Locale;

/**
 * The names the release pipeline and the stacks it deploys agree on without referencing each other: the roles a
 * stage stack hands to the pipeline, and the pipeline's step roles those may be assumed by. Fixed names, because
 * neither stack exists when the other is synthesized.
 */
public final class PipelineNames {
    /** The step that runs {@code topics create} and {@code migrate} with the new image before a stage's deploy. */
    public static final String PREPARE = "prepare";
    /** The step that smoke-checks a stage after its deploy. */
    public static final String SMOKE = "smoke";
    /** The step that deploys a stage's stacks. */
    public static final String DEPLOY = "deploy";

    private PipelineNames() {
    }

    /** The stage stack's role for running ops tasks (with a new image) for a release. */
    public static String releaseRole(String stackName) {
        return stackName.toLowerCase(Locale.ROOT) + "-release";
    }

    /** The stage stack's role for the smoke check's own AWS calls. */
    public static String smokeRole(String stackName) {
        return stackName.toLowerCase(Locale.ROOT) + "-smoke";
    }

    /** The role of one pipeline step ({@link #PREPARE}, {@link #SMOKE}, {@link #DEPLOY}) for one stage stack. */
    public static String stepRole(String pipeline, String stackName, String step) {
        return pipeline + "-" + stackName.toLowerCase(Locale.ROOT) + "-" + step;
    }
}
