package dev.filetrail.api.shares;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.filetrail.events.Json;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.FileVisitResult;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/** Headless Debian {@code chromium} driven over the Chrome DevTools protocol with the JDK's WebSocket. */
public final class Chromium implements AutoCloseable {
    private final Process process;
    private final Path profile;
    private final WebSocket socket;
    private final AtomicInteger ids = new AtomicInteger();
    private final Map<Integer, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();

    public Chromium() throws Exception {
        String binary = List.of("/usr/bin/chromium", "/usr/bin/chromium-browser").stream()
                .filter(p -> Files.isExecutable(Path.of(p))).findFirst()
                .orElseThrow(() -> new AssertionError("Debian chromium is not installed: apt-get install -y chromium"));
        profile = Files.createTempDirectory("chromium-profile");
        process = new ProcessBuilder(binary, "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
                "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--user-data-dir=" + profile, "--remote-debugging-port=0", "about:blank")
                .redirectErrorStream(true).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        String browserWs = null;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (browserWs == null && System.nanoTime() < deadline) {
            String line = out.readLine();
            if (line == null) {
                throw new AssertionError("chromium exited before DevTools listened");
            }
            if (line.startsWith("DevTools listening on ")) {
                browserWs = line.substring("DevTools listening on ".length()).trim();
            }
        }
        if (browserWs == null) {
            throw new AssertionError("chromium did not open DevTools in 30 s");
        }
        Thread drain = new Thread(() -> out.lines().forEach(l -> { }), "chromium-output");
        drain.setDaemon(true);
        drain.start();
        URI ws = URI.create(browserWs);
        HttpClient http = HttpClient.newHttpClient();
        JsonNode targets = Json.MAPPER.readTree(http.send(HttpRequest.newBuilder(
                URI.create("http://" + ws.getHost() + ":" + ws.getPort() + "/json/list")).build(),
                HttpResponse.BodyHandlers.ofString()).body());
        String pageWs = null;
        for (JsonNode t : targets) {
            if ("page".equals(t.path("type").asText())) {
                pageWs = t.get("webSocketDebuggerUrl").asText();
            }
        }
        if (pageWs == null) {
            throw new AssertionError("chromium has no page target: " + targets);
        }
        socket = http.newWebSocketBuilder().buildAsync(URI.create(pageWs), new WebSocket.Listener() {
            private final StringBuilder buffer = new StringBuilder();

            @Override
            public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                buffer.append(data);
                if (last) {
                    try {
                        JsonNode message = Json.MAPPER.readTree(buffer.toString());
                        if (message.has("id")) {
                            CompletableFuture<JsonNode> f = pending.remove(message.get("id").asInt());
                            if (f != null) {
                                f.complete(message);
                            }
                        }
                    } catch (Exception e) {
                        // events we cannot read are not ours
                    }
                    buffer.setLength(0);
                }
                webSocket.request(1);
                return null;
            }
        }).get(10, TimeUnit.SECONDS);
    }

    JsonNode call(String method, Map<String, Object> params) throws Exception {
        int id = ids.incrementAndGet();
        ObjectNode message = Json.MAPPER.createObjectNode().put("id", id).put("method", method);
        message.set("params", Json.MAPPER.valueToTree(params));
        CompletableFuture<JsonNode> result = new CompletableFuture<>();
        pending.put(id, result);
        socket.sendText(Json.writeString(message), true).get(10, TimeUnit.SECONDS);
        JsonNode answer = result.get(30, TimeUnit.SECONDS);
        if (answer.has("error")) {
            throw new AssertionError(method + " failed: " + answer.get("error"));
        }
        return answer.get("result");
    }

    public void navigate(String url) throws Exception {
        call("Page.navigate", Map.of("url", url));
    }

    /** Emulates a screen of {@code width} x {@code height} CSS pixels at one device pixel per CSS pixel. */
    void viewport(int width, int height, boolean mobile) throws Exception {
        call("Emulation.setDeviceMetricsOverride", Map.of("width", width, "height", height, "deviceScaleFactor", 1,
                "mobile", mobile));
    }

    /** A PNG of what the viewport shows. */
    byte[] screenshot() throws Exception {
        return java.util.Base64.getDecoder().decode(call("Page.captureScreenshot", Map.of("format", "png"))
                .get("data").asText());
    }

    /** Presses a key as a keyboard would (Tab moves the focus as it does for a person). */
    void press(String key, int keyCode) throws Exception {
        for (String type : List.of("rawKeyDown", "keyUp")) {
            call("Input.dispatchKeyEvent", Map.of("type", type, "key", key, "code", key,
                    "windowsVirtualKeyCode", keyCode, "nativeVirtualKeyCode", keyCode));
        }
    }

    /** Evaluates a JavaScript expression in the page and returns its value as text. */
    public String eval(String expression) throws Exception {
        JsonNode result = call("Runtime.evaluate", Map.of("expression", expression, "returnByValue", true,
                "awaitPromise", true));
        return result.path("result").path("value").asText();
    }

    /** Polls an expression until its value passes {@code done}; fails naming the last value after 30 s. */
    public String waitFor(String expression, Predicate<String> done) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        String value = null;
        while (System.nanoTime() < deadline) {
            try {
                value = eval(expression);
                if (done.test(value)) {
                    return value;
                }
            } catch (AssertionError e) {
                // the page is between documents; ask again
                value = e.getMessage();
            }
            Thread.sleep(50);
        }
        throw new AssertionError("page never satisfied " + expression + "; last value: " + value);
    }

    @Override
    public void close() throws Exception {
        socket.abort();
        // Chromium's helpers (zygote, renderers, crashpad) outlive the browser process by a moment and still write
        // temporary files into the profile, so they are stopped too, and files that vanish during the walk are fine.
        List<ProcessHandle> helpers = process.descendants().toList();
        process.destroy();
        helpers.forEach(ProcessHandle::destroy);
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
        for (ProcessHandle helper : helpers) {
            try {
                helper.onExit().get(5, TimeUnit.SECONDS);
            } catch (TimeoutException e) {
                helper.destroyForcibly();
            }
        }
        for (int attempt = 0; attempt < 5 && Files.exists(profile); attempt++) {
            Files.walkFileTree(profile, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                    file.toFile().delete();
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) {
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException e) {
                    dir.toFile().delete();
                    return FileVisitResult.CONTINUE;
                }
            });
            if (Files.exists(profile)) {
                Thread.sleep(200);
            }
        }
    }
}
