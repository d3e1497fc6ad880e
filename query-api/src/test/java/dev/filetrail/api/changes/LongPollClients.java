package dev.filetrail.api.changes;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * The benchmark's waiting clients, in a process of their own so the API's heap is measured alone: N raw
 * non-blocking sockets on one selector thread, each sending one long-poll; each prints {@code WOKE <epoch µs>
 * <status line>} when its answer has arrived in full. Commands come on stdin, one line each: {@code poll <path>}
 * sends a long-poll on every socket (new connections, {@code Connection: close}); {@code quit} ends.
 * Arguments: {@code host port key count}.
 */
public final class LongPollClients {
    private LongPollClients() {
    }

    public static void main(String[] args) throws Exception {
        String host = args[0];
        int port = Integer.parseInt(args[1]);
        String key = args[2];
        int count = Integer.parseInt(args[3]);
        BufferedReader commands = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = commands.readLine()) != null) {
            if (line.startsWith("poll ")) {
                poll(host, port, key, count, line.substring(5).trim());
            } else if (line.equals("quit")) {
                return;
            }
        }
    }

    private static void poll(String host, int port, String key, int count, String path) throws Exception {
        byte[] request = ("GET " + path + " HTTP/1.1\r\nHost: " + host + ":" + port + "\r\nAuthorization: Bearer "
                + key + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        try (Selector selector = Selector.open()) {
            Map<SocketChannel, StringBuilder> answers = new HashMap<>();
            for (int i = 0; i < count; i++) {
                SocketChannel channel = SocketChannel.open(new InetSocketAddress(host, port));
                channel.write(ByteBuffer.wrap(request));
                channel.configureBlocking(false);
                channel.register(selector, SelectionKey.OP_READ);
                answers.put(channel, new StringBuilder());
                if (i % 50 == 49) {
                    // Paced, so the listen backlog never overflows into SYN retries.
                    Thread.sleep(20);
                }
            }
            System.out.println("SENT " + count);
            System.out.flush();
            ByteBuffer buffer = ByteBuffer.allocate(8192);
            int open = count;
            while (open > 0) {
                selector.select();
                Iterator<SelectionKey> keys = selector.selectedKeys().iterator();
                while (keys.hasNext()) {
                    SelectionKey k = keys.next();
                    keys.remove();
                    SocketChannel channel = (SocketChannel) k.channel();
                    buffer.clear();
                    int read = channel.read(buffer);
                    if (read > 0) {
                        answers.get(channel).append(new String(buffer.array(), 0, read, StandardCharsets.ISO_8859_1));
                    }
                    if (read < 0) {
                        Instant now = Instant.now();
                        String answer = answers.get(channel).toString();
                        String status = answer.isEmpty() ? "none" : answer.substring(0, answer.indexOf('\r'));
                        boolean woken = answer.contains("\"changes\":true");
                        System.out.println("WOKE " + (now.getEpochSecond() * 1_000_000 + now.getNano() / 1_000) + " "
                                + woken + " " + status.replace(' ', '_'));
                        k.cancel();
                        channel.close();
                        open--;
                    }
                }
            }
            System.out.println("DONE");
            System.out.flush();
        }
    }
}
