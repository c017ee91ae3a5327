package dev.keyring4j;

/**
 * A watch started by {@link CredentialStore#watch}. {@link #close()} stops delivery: once it
 * returns, no new event starts for this subscription (one already running in the listener may
 * finish). Closing is idempotent and never throws; closing the store closes its subscriptions.
 */
@FunctionalInterface
public interface Subscription extends AutoCloseable {
    /** Stops delivery and releases what the watch holds. Idempotent; no exception. */
    @Override
    void close();
}
