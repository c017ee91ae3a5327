package dev.keyring4j.secretservice;

import dev.keyring4j.internal.CredentialWatcher;
import java.time.Duration;

/**
 * The signal subscription behind a secret-service store's watches, while it has any: the
 * collection's item signals on the current link, and a check every second that the link is still
 * the provider's (a provider that restarted has a new unique name and ignores the old session).
 * When it is not, the store reconnects, subscribes on the new link and tells every subscription
 * {@code RESYNC}; while the provider is away the check simply tries again.
 *
 * <p>Every {@link #REREAD} the watched credentials are also re-read without a signal: gnome-keyring
 * (46) sends no signal at all for an item's SetSecret, which is how keyring4j (and seahorse) update
 * an existing item, so such a change by another process is seen within that time, not at once.
 */
final class ItemSignalWatch implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(ItemSignalWatch.class.getName());
    static final Duration CHECK = Duration.ofSeconds(1);
    /** How often the watched credentials are re-read without a signal, in checks. */
    static final int REREAD_CHECKS = 5;
    static final Duration REREAD = CHECK.multipliedBy(REREAD_CHECKS);
    private int checks; // only the check task, never two at once, touches it

    private final SecretServiceConnection connection;
    private final CredentialWatcher watcher;
    private final AutoCloseable check;
    private ProviderLink link; // guarded by this
    private AutoCloseable signals; // guarded by this
    private boolean closed; // guarded by this

    /** Subscribes on the current link (connecting and unlocking as any call does; failures are the store's usual exceptions). */
    ItemSignalWatch(SecretServiceConnection connection, CredentialWatcher watcher) {
        this.connection = connection;
        this.watcher = watcher;
        connection.run("watching the collection", l -> {
            subscribe(l);
            return null;
        });
        this.check = CredentialWatcher.every(CHECK, this::check);
    }

    private synchronized void subscribe(ProviderLink l) {
        AutoCloseable fresh = l.client.onItemSignals(l.owner, l.collection, watcher::changed);
        CredentialWatcher.stop(signals, SecretServiceStore.ID);
        signals = fresh;
        link = l;
    }

    private void check() {
        ProviderLink l;
        if (++checks % REREAD_CHECKS == 0) watcher.changed();
        synchronized (this) {
            if (closed || (link != null && link.usable())) return;
        }
        try {
            l = connection.current(); // reconnects; throws while the provider is away
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "secret-service: the provider is not back yet: " + e.getClass().getName());
            return;
        }
        synchronized (this) {
            if (closed) return;
            try {
                subscribe(l);
            } catch (RuntimeException e) {
                return; // tried again at the next check
            }
        }
        watcher.resync();
    }

    @Override
    public void close() {
        synchronized (this) {
            closed = true;
            CredentialWatcher.stop(signals, SecretServiceStore.ID);
            signals = null;
            link = null;
        }
        CredentialWatcher.stop(check, SecretServiceStore.ID);
    }
}
