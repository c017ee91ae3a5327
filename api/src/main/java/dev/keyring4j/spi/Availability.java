package dev.keyring4j.spi;

import java.util.Objects;

/**
 * A provider's answer to {@link CredentialStoreProvider#probe}: available at a priority (higher
 * wins), or unavailable for a reason. Either way the reason is one line for humans.
 */
public final class Availability {
    private final boolean available;
    private final int priority;
    private final String reason;

    private Availability(boolean available, int priority, String reason) {
        this.available = available;
        this.priority = priority;
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    /** Available at {@code priority}. */
    public static Availability available(int priority) {
        return new Availability(true, priority, "available");
    }

    /** Available at {@code priority}, with a note on why or how (e.g. which bus, which keyring). */
    public static Availability available(int priority, String reason) {
        return new Availability(true, priority, reason);
    }

    /** Not usable here, and why. */
    public static Availability unavailable(String reason) {
        return new Availability(false, Integer.MIN_VALUE, reason);
    }

    public boolean isAvailable() {
        return available;
    }

    /** The priority; meaningless when unavailable. */
    public int priority() {
        return priority;
    }

    public String reason() {
        return reason;
    }

    @Override
    public String toString() {
        return available ? "available(" + priority + ", " + reason + ")" : "unavailable(" + reason + ")";
    }
}
