package dev.filetrail.aws;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;

/** Typed reads of CDK context values, which arrive as strings from {@code -c} and as JSON values from cdk.json. */
public final class ContextValues {
    private final Function<String, Object> lookup;

    public ContextValues(Function<String, Object> lookup) {
        this.lookup = lookup;
    }

    /** The value of {@code key}, trimmed; empty when unset or blank. */
    public Optional<String> optional(String key) {
        Object value = lookup.apply(key);
        if (value == null) {
            return Optional.empty();
        }
        String text = value.toString().trim();
        return text.isEmpty() ? Optional.empty() : Optional.of(text);
    }

    public String string(String key, String fallback) {
        return optional(key).orElse(fallback);
    }

    public int integer(String key, int fallback) {
        return optional(key).map(text -> parse(key, text, Integer::parseInt)).orElse(fallback);
    }

    /** A whole number, or empty when unset: for settings whose absence means "do not set it at all". */
    public Optional<Integer> optionalInteger(String key) {
        return optional(key).map(text -> parse(key, text, Integer::parseInt));
    }

    public double decimal(String key, double fallback) {
        return optional(key).map(text -> parse(key, text, Double::parseDouble)).orElse(fallback);
    }

    public boolean bool(String key, boolean fallback) {
        return optional(key).map(text -> switch (text.toLowerCase(Locale.ROOT)) {
            case "true", "yes", "1", "on" -> true;
            case "false", "no", "0", "off" -> false;
            default -> throw new IllegalArgumentException("context " + key + " must be true or false, got '" + text + "'");
        }).orElse(fallback);
    }

    /** A comma-separated list (or a JSON array from cdk.json). */
    public List<String> list(String key, List<String> fallback) {
        Object value = lookup.apply(key);
        if (value instanceof List<?> items) {
            return items.stream().map(Object::toString).map(String::trim).filter(s -> !s.isEmpty()).toList();
        }
        return optional(key)
                .map(text -> Arrays.stream(text.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList())
                .orElse(fallback);
    }

    private static <T> T parse(String key, String text, Function<String, T> parser) {
        try {
            return parser.apply(text);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("context " + key + " must be a number, got '" + text + "'", e);
        }
    }
}
