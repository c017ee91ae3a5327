package dev.keyring4j.secretservice;

import dev.keyring4j.AccessDeniedException;
import java.util.function.Function;

/**
 * The store's connection to the provider, with the reconnect policy: at most one live
 * {@link ProviderLink}, opened lazily on a private {@link BusConnection} and reused. A link whose
 * bus dropped, or whose provider changed hands (the bus's own NameOwnerChanged for
 * org.freedesktop.secrets), is stale and replaced on the next call; an operation that fails because
 * the provider went away is retried once on a fresh link, and one that finds the collection locked
 * behind its back is unlocked and retried once. Thread-safe; after {@link #close()} nothing reconnects.
 */
final class SecretServiceConnection implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(SecretServiceConnection.class.getName());

    private final SecretServiceSettings settings;
    private final String address;
    private final SecretServiceErrors errors;
    private final Object connectLock = new Object();
    private volatile ProviderLink link;
    private volatile boolean closed;

    private SecretServiceConnection(SecretServiceSettings settings, String address) {
        this.settings = settings;
        this.address = address;
        this.errors = new SecretServiceErrors(address, settings.timeout());
    }

    /**
     * Starts from the connection the probe made and checked ({@code probed}, with the collection it
     * resolved, or null when the provider was not running yet), so that nothing is connected twice;
     * finishes connecting now (session, owner, signals), so that a failure is reported at once.
     */
    static SecretServiceConnection open(SecretServiceSettings settings, String address, SecretServiceClient probed, String collection) {
        SecretServiceConnection connection = new SecretServiceConnection(settings, address);
        try {
            if (probed.isConnected()) {
                connection.link = connection.connect(probed, collection);
            } else {
                // the probe's connection dropped meanwhile: replaced, as any stale link is
                probed.close();
                connection.link = connection.connect();
            }
            return connection;
        } catch (BusCallException e) {
            connection.close();
            throw connection.errors.translate("connecting", e);
        } catch (RuntimeException e) {
            connection.close();
            throw e;
        }
    }

    /**
     * Runs {@code body} (described by {@code what} in errors) on the current link with the collection
     * unlocked. A provider that went away is reconnected to and the body retried once; a locked
     * collection is unlocked (or reported) and the body retried once.
     */
    <T> T run(String what, Function<ProviderLink, T> body) {
        BusCallException last = null;
        ProviderLink lastLink = null;
        for (int attempt = 0; attempt < 3; attempt++) {
            ProviderLink l;
            try {
                l = current();
            } catch (BusCallException e) {
                throw errors.translate(what, e);
            }
            try {
                l.unlocker.ensureUnlocked();
                return body.apply(l);
            } catch (BusCallException e) {
                last = e;
                lastLink = l;
                if (e.isError(SecretServiceClient.IS_LOCKED)) {
                    // locked behind our back (another client called Lock): unlock, then retry
                    l.unlocker.forgetUnlocked();
                    continue;
                }
                if (e.providerGone() && !closed) {
                    LOG.log(System.Logger.Level.DEBUG, "secret-service: provider went away ({0}); reconnecting", e.getMessage());
                    invalidate(l);
                    continue;
                }
                throw errors.translate(what, e);
            }
        }
        if (last != null && lastLink != null && last.isError(SecretServiceClient.IS_LOCKED) && !lockedNow(lastLink)) {
            // "locked" only when the collection's Locked property says so: this is a per-item refusal
            throw new AccessDeniedException("secret-service: the provider answered IsLocked while " + what + " although "
                    + lastLink.unlocker.where() + " is not locked: it refuses this access (a per-item access rule such as KeePassXC's"
                    + " \"Confirm when passwords are retrieved by clients\"); allow the access in the provider or turn that setting off", last);
        }
        throw errors.translate(what, last);
    }

    /** The collection's Locked property now; true when it cannot be read (then the locked message is the better guess). */
    private static boolean lockedNow(ProviderLink l) {
        try {
            return l.unlocker.lockedNow();
        } catch (BusCallException e) {
            return true;
        }
    }

    /** The live link, connecting if there is none or the last one went stale. */
    ProviderLink current() {
        if (closed) throw new IllegalStateException("this secret-service store is closed");
        ProviderLink l = link;
        if (l != null && l.usable()) return l;
        synchronized (connectLock) {
            if (closed) throw new IllegalStateException("this secret-service store is closed");
            l = link;
            if (l != null && l.usable()) return l;
            if (l != null) l.close();
            link = null;
            link = connect();
            return link;
        }
    }

    @Override
    public void close() {
        closed = true;
        synchronized (connectLock) {
            ProviderLink l = link;
            link = null;
            if (l != null) l.close();
        }
    }

    private void invalidate(ProviderLink l) {
        synchronized (connectLock) {
            l.markStale();
            if (link == l) {
                link = null;
                l.close();
            }
        }
    }

    private ProviderLink connect() {
        return connect(new SecretServiceClient(BusConnection.open(address, settings.timeout())), null);
    }

    /** A link on {@code client}; {@code knownCollection} is the collection already resolved on it, or null. */
    private ProviderLink connect(SecretServiceClient client, String knownCollection) {
        try {
            String collection = knownCollection;
            if (collection == null) {
                if (!client.providerPresent()) throw SecretServiceErrors.noProvider(address);
                collection = CollectionResolver.resolve(client, settings);
            }
            SecretServiceSession session = client.openSession(settings.sessionAlgorithm());
            // resolved after the calls above, which start an activatable provider
            String owner = client.owner();
            CollectionUnlocker unlocker = new CollectionUnlocker(client, owner, collection, CollectionResolver.displayName(client, collection), settings);
            ProviderLink l = new ProviderLink(client, owner, session, collection, unlocker);
            watchOwner(l);
            // a new owner between GetNameOwner and the subscription would go unseen: ask once more
            if (!owner.equals(client.owner())) l.markStale();
            return l;
        } catch (RuntimeException e) {
            client.close();
            throw e;
        }
    }

    /**
     * A new owner of org.freedesktop.secrets (a restarted provider) makes our session path and the
     * owner we believe meaningless: the next call reconnects and asks the bus who owns it now.
     * Only the bus itself announces owners.
     */
    private static void watchOwner(ProviderLink l) {
        try {
            l.client.onOwnerChanged(l::markStale);
        } catch (BusCallException e) {
            // without the signal, errors from the stale session still trigger the reconnect
        }
    }
}
