package dev.keyring4j;

/**
 * What one discovered backend said about itself on this machine, with this configuration.
 *
 * @param id           the backend id, e.g. {@code kernel}
 * @param priority     higher wins in auto-detection (after {@code <id>.priority} overrides)
 * @param available    whether it can be opened now
 * @param reason       why it is or is not available, in one line
 * @param capabilities what a store of this backend can do
 */
public record BackendStatus(String id, int priority, boolean available, String reason, Capabilities capabilities) {
}
