package dev.filetrail.api.http;

import io.javalin.http.Context;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The address of the client behind a request: the connection's peer, unless that peer is a trusted proxy, in
 * which case {@code X-Forwarded-For} is read from the right, skipping trusted proxies, and the first address that
 * is not one is the client. Proxies append the address they saw, so only the entries added by trusted proxies can
 * be believed; anything to the left of the first untrusted one may have been written by the client itself.
 */
public final class ClientAddress {
    /** The context attribute the API's before-handler stores the resolved address under. */
    public static final String ATTRIBUTE = "filetrail.client";
    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    private static final Pattern IPV6 = Pattern.compile("[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*");

    private final List<Cidr> trusted;

    /** @param trustedProxies CIDRs ({@code 10.0.0.0/16}, {@code fd00::/8}) or single addresses; empty = trust none */
    public ClientAddress(List<String> trustedProxies) {
        List<Cidr> parsed = new ArrayList<>();
        for (String entry : trustedProxies) {
            parsed.add(Cidr.parse(entry));
        }
        this.trusted = List.copyOf(parsed);
    }

    /** Parses a comma-separated CIDR list as {@code TRUSTED_PROXIES} holds it; blank gives an empty list. */
    public static List<String> parseList(String commaSeparated) {
        List<String> entries = new ArrayList<>();
        if (commaSeparated != null) {
            for (String part : commaSeparated.split(",")) {
                if (!part.isBlank()) {
                    entries.add(Cidr.parse(part.trim()).text());
                }
            }
        }
        return List.copyOf(entries);
    }

    /** The client address for a connection from {@code peer} carrying {@code forwardedFor} (may be null). */
    public String resolve(String peer, String forwardedFor) {
        if (trusted.isEmpty() || forwardedFor == null || forwardedFor.isBlank()) {
            // The answer below in these cases too, without parsing the peer's address on every request.
            return peer;
        }
        InetAddress peerAddress = literal(stripPort(peer == null ? "" : peer.trim()));
        if (peerAddress == null || !isTrusted(peerAddress)) {
            return peer;
        }
        String[] hops = forwardedFor.split(",");
        String client = peer;
        for (int i = hops.length - 1; i >= 0; i--) {
            String hop = stripPort(hops[i].trim());
            InetAddress address = literal(hop);
            if (address == null) {
                // A hop a proxy did not write: keep the last address a trusted party vouched for.
                return client;
            }
            client = address.getHostAddress();
            if (!isTrusted(address)) {
                return client;
            }
        }
        return client;
    }

    /** The address the API's before-handler resolved for this request (the peer if it did not run). */
    public static String of(Context ctx) {
        String resolved = ctx.attribute(ATTRIBUTE);
        return resolved != null ? resolved : ctx.req().getRemoteAddr();
    }

    /** Resolves the request's client and stores it for {@link #of(Context)}. */
    public void remember(Context ctx) {
        ctx.attribute(ATTRIBUTE, resolve(ctx.req().getRemoteAddr(), ctx.header("X-Forwarded-For")));
    }

    private boolean isTrusted(InetAddress address) {
        for (Cidr cidr : trusted) {
            if (cidr.contains(address)) {
                return true;
            }
        }
        return false;
    }

    private static String stripPort(String hop) {
        if (hop.startsWith("[")) {
            int end = hop.indexOf(']');
            return end < 0 ? hop : hop.substring(1, end);
        }
        int colon = hop.indexOf(':');
        if (colon > 0 && colon == hop.lastIndexOf(':') && IPV4.matcher(hop.substring(0, colon)).matches()) {
            return hop.substring(0, colon);
        }
        return hop;
    }

    /** An IP literal, never a name: resolving names here would let a header make the API query DNS. */
    static InetAddress literal(String text) {
        if (text == null || text.isEmpty() || text.length() > 64) {
            return null;
        }
        boolean v4 = IPV4.matcher(text).matches();
        if (!v4 && !IPV6.matcher(text).matches()) {
            return null;
        }
        if (v4) {
            for (String octet : text.split("\\.")) {
                if (Integer.parseInt(octet) > 255) {
                    return null;
                }
            }
        }
        try {
            return InetAddress.getByName(text);
        } catch (UnknownHostException e) {
            return null;
        }
    }

    /** One trusted range. */
    record Cidr(String text, byte[] network, int prefix) {
        static Cidr parse(String text) {
            int slash = text.indexOf('/');
            InetAddress address = literal(slash < 0 ? text : text.substring(0, slash));
            if (address == null) {
                throw new IllegalArgumentException("TRUSTED_PROXIES: '" + text + "' is not an IP address or CIDR");
            }
            int bits = address.getAddress().length * 8;
            int prefix = bits;
            if (slash >= 0) {
                try {
                    prefix = Integer.parseInt(text.substring(slash + 1));
                } catch (NumberFormatException e) {
                    prefix = -1;
                }
                if (prefix < 0 || prefix > bits) {
                    throw new IllegalArgumentException("TRUSTED_PROXIES: '" + text + "' needs a prefix length 0.." + bits);
                }
            }
            return new Cidr(text, address.getAddress(), prefix);
        }

        boolean contains(InetAddress address) {
            byte[] bytes = address.getAddress();
            if (bytes.length != network.length) {
                return false;
            }
            int full = prefix / 8;
            for (int i = 0; i < full; i++) {
                if (bytes[i] != network[i]) {
                    return false;
                }
            }
            int rest = prefix % 8;
            if (rest == 0) {
                return true;
            }
            int mask = (0xff << (8 - rest)) & 0xff;
            return (bytes[full] & mask) == (network[full] & mask);
        }
    }
}
