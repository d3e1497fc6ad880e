package dev.filetrail.launcher.image;

import com.fasterxml.jackson.databind.JsonNode;
import dev.filetrail.events.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The image that {@code jib:buildTar} wrote to {@code target/jib-image.tar}, unpacked once per test JVM into a root
 * filesystem: its layers in order, its entrypoint, cmd, environment and user, and a way to run a command in it.
 */
final class ServiceImage {
    private static final Path TAR = Path.of("target", "jib-image.tar");
    private static ServiceImage unpacked;

    final Path archive;
    final Path root;
    final List<Path> layers;
    final List<String> entrypoint;
    final List<String> cmd;
    final Map<String, String> env;
    final String user;
    final String architecture;

    private ServiceImage(Path archive, Path root, List<Path> layers, JsonNode config) {
        this.archive = archive;
        this.root = root;
        this.layers = layers;
        JsonNode c = config.path("config");
        this.entrypoint = strings(c.path("Entrypoint"));
        this.cmd = strings(c.path("Cmd"));
        this.env = new LinkedHashMap<>();
        for (String e : strings(c.path("Env"))) {
            int eq = e.indexOf('=');
            env.put(e.substring(0, eq), e.substring(eq + 1));
        }
        this.user = c.path("User").asText("");
        this.architecture = config.path("os").asText() + "/" + config.path("architecture").asText();
    }

    /** The image of this build, unpacked on first use. */
    static synchronized ServiceImage get() throws Exception {
        if (unpacked == null) {
            if (!Files.exists(TAR)) {
                throw new IllegalStateException(TAR.toAbsolutePath() + " is missing: jib:buildTar runs in the "
                        + "process-test-classes phase of deploy/launcher (run the tests through Maven)");
            }
            Path work = Path.of("target", "image-test");
            delete(work);
            Path archive = Files.createDirectories(work.resolve("archive"));
            run(List.of("tar", "-xf", TAR.toAbsolutePath().toString(), "-C", archive.toString()));
            JsonNode manifest = Json.read(Files.readString(archive.resolve("manifest.json")), JsonNode.class).get(0);
            JsonNode config = Json.read(Files.readString(archive.resolve(manifest.get("Config").asText())),
                    JsonNode.class);
            Path root = Files.createDirectories(work.resolve("root"));
            List<Path> layers = new ArrayList<>();
            for (String layer : strings(manifest.get("Layers"))) {
                Path file = archive.resolve(layer);
                layers.add(file);
                // Numeric owners and modes as the image says, as a container runtime would lay them out.
                run(List.of("tar", "--warning=no-unknown-keyword", "--numeric-owner", "-xpzf", file.toAbsolutePath().toString(), "-C",
                        root.toString()));
            }
            unpacked = new ServiceImage(archive, root.toAbsolutePath(), layers, config);
        }
        return unpacked;
    }

    /** Every path in every layer, absolute as in the container. */
    List<String> files() throws Exception {
        List<String> all = new ArrayList<>();
        for (Path layer : layers) {
            run(List.of("tar", "--warning=no-unknown-keyword", "-tzf", layer.toAbsolutePath().toString())).lines()
                    .map(f -> "/" + f.replaceFirst("^\\./", "").replaceFirst("^/", ""))
                    .forEach(all::add);
        }
        return all;
    }

    /**
     * Starts {@code command} (the image's entrypoint and arguments) inside the root filesystem as the image's user,
     * with the image's environment plus {@code extraEnv} and nothing from this JVM's, as a container runtime would:
     * in its own mount and PID namespaces with {@code /proc} and {@code /dev} mounted (the dynamic loader resolves
     * the JRE's {@code $ORIGIN} run path through {@code /proc}). Needs root, or unprivileged user namespaces; says so
     * plainly when it has neither. SIGTERM to the returned process reaches the command, as {@code docker stop} does.
     */
    Process start(List<String> command, Map<String, String> extraEnv, Path output) throws IOException {
        // The environment is the image's alone, so this machine's tools are named by their paths.
        List<String> argv = new ArrayList<>(List.of(tool("unshare")));
        String userspec = user;
        if (!isRoot()) {
            if (!userNamespaces()) {
                throw new IllegalStateException("running the image's entrypoint needs chroot and mounts: run the "
                        + "tests as root, or where `unshare --user --map-root-user true` works (unprivileged user "
                        + "namespaces)");
            }
            argv.addAll(List.of("--user", "--map-root-user"));
            userspec = "0:0";  // only the mapped root exists in the new user namespace
        }
        argv.addAll(List.of("--mount", "--pid", "--fork", "--kill-child=SIGTERM", "--mount-proc=" + root.resolve("proc"),
                tool("bash"), "-c", "\"$1\" --rbind /dev \"$0/dev\" && exec \"$2\" --userspec=\"$3\" \"$0\" \"${@:4}\"",
                root.toString(), tool("mount"), tool("chroot"), userspec));
        argv.addAll(command);
        ProcessBuilder builder = new ProcessBuilder(argv).redirectErrorStream(true).redirectOutput(output.toFile());
        builder.environment().clear();
        builder.environment().putAll(env);
        builder.environment().putAll(extraEnv);
        return builder.start();
    }

    /**
     * Stops a command from {@link #start} as {@code docker stop} does: SIGTERM to the container's first process (the
     * {@code unshare} wrapper ignores it while it waits), then SIGKILL after {@code grace}. Returns its exit code.
     */
    static int stop(Process process, Duration grace) throws InterruptedException {
        process.toHandle().children().forEach(ProcessHandle::destroy);
        if (!process.waitFor(grace.toMillis(), TimeUnit.MILLISECONDS)) {
            process.toHandle().descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            process.waitFor();
        }
        return process.exitValue();
    }

    /** The image's entrypoint followed by {@code args} (its cmd when none are given). */
    List<String> command(String... args) {
        List<String> command = new ArrayList<>(entrypoint);
        command.addAll(args.length == 0 ? cmd : List.of(args));
        return command;
    }

    /** A program of this machine, found on its PATH or in the system folders. */
    private static String tool(String name) {
        List<String> dirs = new ArrayList<>(List.of(System.getenv().getOrDefault("PATH", "").split(":")));
        dirs.addAll(List.of("/usr/sbin", "/sbin", "/usr/bin", "/bin"));
        return dirs.stream().filter(d -> !d.isEmpty()).map(d -> Path.of(d, name))
                .filter(Files::isExecutable).findFirst().map(Path::toString)
                .orElseThrow(() -> new IllegalStateException(name + " is needed to run the image (util-linux, "
                        + "coreutils, bash)"));
    }

    private static boolean isRoot() {
        try {
            return "0".equals(run(List.of("id", "-u")).strip());
        } catch (Exception e) {
            return false;
        }
    }

    private static boolean userNamespaces() {
        try {
            run(List.of("unshare", "--user", "--map-root-user", "true"));
            return true;
        } catch (Exception e) {
            return false;
        }
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return out;
    }

    static String run(List<String> command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out;
        try (InputStream in = process.getInputStream()) {
            out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        if (!process.waitFor(5, TimeUnit.MINUTES) || process.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " failed: " + out);
        }
        return out;
    }

    private static void delete(Path folder) throws IOException {
        if (!Files.exists(folder)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(folder)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.delete(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }
}
