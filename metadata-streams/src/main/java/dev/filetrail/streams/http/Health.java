package dev.filetrail.streams.http;

import dev.filetrail.events.service.Status;
import java.util.LinkedHashMap;
import java.util.Map;

/** What /health or /ready reports: yes or no, a word for the state, and why not (null when up). */
public record Health(boolean up, String state, String reason) {

    /** The admin port's answer: {@code status} ({@code yes} or {@code no}), {@code state}, and {@code reason} when down. */
    public Status status(String yes, String no) {
        Map<String, String> body = new LinkedHashMap<>();
        body.put("status", up ? yes : no);
        body.put("state", state);
        if (reason != null) {
            body.put("reason", reason);
        }
        return new Status(up, body);
    }
}
