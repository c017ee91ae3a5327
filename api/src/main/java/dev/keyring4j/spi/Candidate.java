package dev.keyring4j.spi;

import dev.keyring4j.Capabilities;
import dev.keyring4j.CredentialStore;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * What a provider's {@link CredentialStoreProvider#probe probe} found: the availability with its
 * reason, the capabilities, and, when available, how to open the store with what the probe already
 * parsed and connected. Opening consumes the candidate: nothing is parsed, probed or connected twice.
 * A candidate that is never opened releases what it holds on {@link #discard()}.
 */
public final class Candidate {
    /** Builds the store from what the probe found; called at most once. */
    @FunctionalInterface
    public interface Opener {
        CredentialStore open();
    }

    /** Releases what an unopened candidate holds (a connection the probe made); called at most once. */
    @FunctionalInterface
    public interface Releaser {
        void release();
    }

    private final Availability availability;
    private final Capabilities capabilities;
    private final Opener opener;
    private final Releaser releaser;
    private final AtomicBoolean used;
    private final String watchMechanism;

    private Candidate(Availability availability, Capabilities capabilities, Opener opener, Releaser releaser) {
        this(availability, capabilities, opener, releaser, "", new AtomicBoolean());
    }

    private Candidate(Availability availability, Capabilities capabilities, Opener opener, Releaser releaser, String watchMechanism,
                      AtomicBoolean used) {
        this.watchMechanism = Objects.requireNonNull(watchMechanism, "watchMechanism");
        this.used = used;
        this.availability = Objects.requireNonNull(availability, "availability");
        this.capabilities = Objects.requireNonNull(capabilities, "capabilities");
        if (availability.isAvailable() && opener == null) throw new IllegalArgumentException("an available candidate needs an opener");
        this.opener = opener;
        this.releaser = releaser;
    }

    /** An available backend and how to open it. */
    public static Candidate of(Availability availability, Capabilities capabilities, Opener opener) {
        return new Candidate(availability, capabilities, opener, null);
    }

    /** As {@link #of(Availability, Capabilities, Opener)}, with what to release when it is not opened. */
    public static Candidate of(Availability availability, Capabilities capabilities, Opener opener, Releaser releaser) {
        return new Candidate(availability, capabilities, opener, releaser);
    }

    /** A backend that cannot be opened here (unavailable or indeterminate); it still says what it could do. */
    public static Candidate without(Availability availability, Capabilities capabilities) {
        if (availability.isAvailable()) throw new IllegalArgumentException("an available candidate needs an opener");
        return new Candidate(availability, capabilities, null, null);
    }

    public Availability availability() {
        return availability;
    }

    /** What a store opened from this candidate can do (declared by the backend, whatever the availability). */
    public Capabilities capabilities() {
        return capabilities;
    }

    /**
     * This candidate, saying how its store watches credentials, in a few words for
     * {@code Keyring.diagnose()}: {@code "inotify on /run/secrets"}, {@code "polls every 5 s"}.
     * Opening or discarding either copy uses both up.
     */
    public Candidate watchedBy(String mechanism) {
        return new Candidate(availability, capabilities, opener, releaser, mechanism, used);
    }

    /** How the store watches credentials ({@link #watchedBy}), or empty when not said. */
    public String watchMechanism() {
        return watchMechanism;
    }

    /**
     * Opens the store. Only for an available candidate, and only once.
     *
     * @throws IllegalStateException when not available, or already opened or discarded
     */
    public CredentialStore open() {
        if (!availability.isAvailable()) throw new IllegalStateException("not available: " + availability.reason());
        if (!used.compareAndSet(false, true)) throw new IllegalStateException("a candidate opens once");
        return opener.open();
    }

    /** Releases what the probe held, if the candidate was not opened. Idempotent; no exception. */
    public void discard() {
        if (releaser != null && used.compareAndSet(false, true)) {
            try {
                releaser.release();
            } catch (RuntimeException ignored) {
                // nothing to report to: the candidate was never used
            }
        }
    }

    @Override
    public String toString() {
        return "Candidate[" + availability + ", " + capabilities.describe() + "]";
    }
}
