package dev.filetrail.aws;

import dev.filetrail.aws.alarms.BillingAlarmsStack;
import dev.filetrail.aws.delivery.DeliveryPipelineStack;
import dev.filetrail.aws.delivery.PipelineConfig;
import java.lang.reflect.Method;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import software.amazon.awscdk.App;
import software.amazon.awscdk.AppProps;
import software.amazon.awscdk.Tags;

/**
 * The CDK app. Under the CDK CLI ({@code npx aws-cdk@2 synth}) it writes where the CLI says; run alone
 * ({@code mvn -q compile exec:java} in deploy/aws) it writes the cloud assembly to deploy/aws/cdk.out, taking
 * context from its arguments ({@code key=value}, or {@code -c key=value}).
 */
public final class FiletrailApp {
    private FiletrailApp() {
    }

    /** The two stacks of one synthesis. */
    public record Stacks(FiletrailStack main, BillingAlarmsStack billing, StackConfig config) {
    }

    public static void main(String[] args) {
        // The CLI passes its output folder in CDK_OUTDIR; without the CLI, CDK would pick a temporary folder.
        Path outdir = System.getenv("CDK_OUTDIR") == null ? ModuleHome.path().resolve("cdk.out") : null;
        Path written = synthesize(args, outdir);
        if (outdir != null) {
            System.out.println("Wrote the cloud assembly (templates and assets) to " + written);
        }
        stopJsiiRuntime();
    }

    /**
     * Synthesizes both stacks with context from {@code args} into {@code outdir} (or the CLI's CDK_OUTDIR when
     * null) and returns the folder written.
     */
    public static Path synthesize(String[] args, Path outdir) {
        AppProps.Builder props = AppProps.builder().context(new LinkedHashMap<>(contextFrom(args)));
        if (outdir != null) {
            props.outdir(outdir.toString());
        }
        App app = new App(props.build());
        // One app, two uses: Filetrail's stacks, or (-c pipeline=true) the release pipeline that deploys them.
        if (new ContextValues(key -> app.getNode().tryGetContext(key)).bool("pipeline", false)) {
            new DeliveryPipelineStack(app, PipelineConfig.from(key -> app.getNode().tryGetContext(key)));
        } else {
            build(app);
        }
        return Path.of(app.synth().getDirectory());
    }

    /** Adds Filetrail's stacks to {@code app}, configured from its context. */
    public static Stacks build(App app) {
        StackConfig config = StackConfig.from(new ContextValues(key -> app.getNode().tryGetContext(key)));
        FiletrailStack main = new FiletrailStack(app, config.stackName(), config);
        BillingAlarmsStack billing = new BillingAlarmsStack(app, config.stackName() + "-Billing", config);
        // Cost allocation (and the tag anomaly monitor) sees every resource of both stacks by this tag.
        Tags.of(app).add(BillingAlarmsStack.COST_TAG_KEY, BillingAlarmsStack.COST_TAG_VALUE);
        Tags.of(app).add("filetrail:stack", config.stackName());
        return new Stacks(main, billing, config);
    }

    /**
     * Under exec:java, Maven closes the app's class loader as soon as main returns, while jsii's node process and
     * the thread that forwards its stderr still run; that thread then dies with NoClassDefFoundError. Stopping the
     * runtime here (jsii has no public call for it) ends both while their classes are still loadable.
     */
    private static void stopJsiiRuntime() {
        try {
            Method reset = Class.forName("software.amazon.jsii.JsiiEngine").getDeclaredMethod("reset");
            reset.setAccessible(true);
            reset.invoke(null);
        } catch (ReflectiveOperationException | RuntimeException e) {
            // Only tidiness at exit depends on this: the cloud assembly is already written.
        }
    }

    static Map<String, Object> contextFrom(String[] args) {
        Map<String, Object> context = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (("-c".equals(arg) || "--context".equals(arg)) && i + 1 < args.length) {
                arg = args[++i];
            }
            int eq = arg.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("expected key=value, got '" + arg + "'");
            }
            context.put(arg.substring(0, eq), arg.substring(eq + 1));
        }
        return context;
    }
}
