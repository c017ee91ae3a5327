package dev.keyring4j.spi;

import java.util.Objects;

/**
 * A provider's answer to whether its backend can be used here, in one of three forms: available at
 * a priority (higher wins), unavailable for a reason that proves absence (no bus, no provider, not
 * started by systemd), or indeterminate (it did not answer in time, or failed in a way that proves
 * nothing). Only a definite "unavailable" removes a backend from an auto-detected chain; an
 * indeterminate one stays in it as a member that fails every call. The reason is one line for humans.
 */
public final class Availability {
    /** The three answers. */
    public enum State { AVAILABLE, UNAVAILABLE, INDETERMINATE }

    private final State state;
    private final int priority;
    private final String reason;

    private Availability(State state, int priority, String reason) {
        this.state = state;
        this.priority = priority;
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    /** Available at {@code priority}. */
    public static Availability available(int priority) {
        return new Availability(State.AVAILABLE, priority, "available");
    }

    /** Available at {@code priority}, with a note on why or how (e.g. which bus, which keyring). */
    public static Availability available(int priority, String reason) {
        return new Availability(State.AVAILABLE, priority, reason);
    }

    /** Not usable here, and why: the reason proves the backend absent. */
    public static Availability unavailable(String reason) {
        return new Availability(State.UNAVAILABLE, Integer.MIN_VALUE, reason);
    }

    /**
     * Not known: the backend did not answer in time, or failed in a way that does not prove it
     * absent. It may hold credentials, so nothing may be written past it.
     */
    public static Availability indeterminate(String reason) {
        return new Availability(State.INDETERMINATE, Integer.MIN_VALUE, reason);
    }

    public State state() {
        return state;
    }

    public boolean isAvailable() {
        return state == State.AVAILABLE;
    }

    public boolean isIndeterminate() {
        return state == State.INDETERMINATE;
    }

    /** The priority; meaningless unless available. */
    public int priority() {
        return priority;
    }

    public String reason() {
        return reason;
    }

    @Override
    public String toString() {
        return switch (state) {
            case AVAILABLE -> "available(" + priority + ", " + reason + ")";
            case UNAVAILABLE -> "unavailable(" + reason + ")";
            case INDETERMINATE -> "indeterminate(" + reason + ")";
        };
    }
}
