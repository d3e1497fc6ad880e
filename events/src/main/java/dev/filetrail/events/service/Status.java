package dev.filetrail.events.service;

/**
 * What {@code /health} or {@code /ready} answers: whether the service is up (200) or not (503), and the JSON body
 * (any value {@link dev.filetrail.events.Json} writes), whose shape each service keeps as its README documents it.
 */
public record Status(boolean up, Object body) {
}
