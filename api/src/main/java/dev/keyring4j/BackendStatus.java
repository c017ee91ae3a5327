package dev.keyring4j;

import java.time.Duration;

/**
 * What one discovered backend said about itself on this machine, with this configuration.
 *
 * @param id            the backend id, e.g. {@code kernel}
 * @param priority      higher wins in auto-detection (after {@code <id>.priority} overrides)
 * @param available     whether it can be opened now
 * @param reason        why it is or is not available, in one line
 * @param capabilities  what a store of this backend can do
 * @param indeterminate whether its probe did not answer in time or failed without proving absence: then it is
 *                      neither available nor absent, and an auto-detected chain keeps it as a member that fails
 * @param probeTime     how long its probe took (until it answered, or until it was given up); zero when not probed
 */
public record BackendStatus(String id, int priority, boolean available, String reason, Capabilities capabilities,
                            boolean indeterminate, Duration probeTime) {

    /** A status of a backend that was not probed, or whose probe answered at once. */
    public BackendStatus(String id, int priority, boolean available, String reason, Capabilities capabilities) {
        this(id, priority, available, reason, capabilities, false, Duration.ZERO);
    }

    /** {@code available}, {@code unavailable} or {@code indeterminate}. */
    public String state() {
        return available ? "available" : indeterminate ? "indeterminate" : "unavailable";
    }
}
