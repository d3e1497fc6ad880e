package dev.filetrail.launcher.cli;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code filetrail probe URL}: exit 0 when the URL answers 2xx in time, 1 otherwise. The container health checks
 * of the AWS stack run it against a service's {@code /ready}, so they need nothing in the image but the launcher.
 */
@Command(name = "probe", mixinStandardHelpOptions = true,
        description = {"GETs the URL (e.g. http://127.0.0.1:9401/ready) and exits 0 on a 2xx answer, 1 on anything "
                + "else or no answer within the timeout: a container health check."})
final class ProbeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "URL", description = "The http:// URL to GET.")
    URI url;

    @Option(names = "--timeout", defaultValue = "PT5S", description = "Connect plus answer time (ISO-8601, default ${DEFAULT-VALUE}).")
    Duration timeout;

    @Override
    public Integer call() {
        HttpClient client = HttpClient.newBuilder().connectTimeout(timeout).build();
        try {
            HttpResponse<String> response = client.send(HttpRequest.newBuilder(url).timeout(timeout).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            boolean ok = response.statusCode() / 100 == 2;
            // The body says why a check failed (e.g. /ready's failing check); ECS keeps the output of the last probes.
            (ok ? spec.commandLine().getOut() : spec.commandLine().getErr())
                    .printf("%s %d %s%n", url, response.statusCode(), oneLine(response.body()));
            return ok ? 0 : 1;
        } catch (java.io.IOException e) {
            spec.commandLine().getErr().printf("%s unreachable: %s%n", url, e);
            return 1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 1;
        } finally {
            spec.commandLine().getOut().flush();
            spec.commandLine().getErr().flush();
        }
    }

    static String oneLine(String body) {
        String line = body == null ? "" : body.replace('\n', ' ');
        return line.length() > 300 ? line.substring(0, 297) + "..." : line;
    }
}
