package dev.keyring4j;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;

/**
 * Wraps every store {@link Keyring} returns: each operation emits a JFR {@code dev.keyring4j.Operation}
 * event and calls the registered {@link KeyringListener}s. Neither ever sees a name or a secret.
 * A process in which JFR never starts pays nothing for the events: the event class is not even loaded
 * (JFR's metadata costs a short-lived command tens of milliseconds); once a recording starts, for
 * example with {@code jcmd <pid> JFR.start}, the next operation records.
 */
final class InstrumentedStore implements CredentialStore {
    static final List<KeyringListener> LISTENERS = new CopyOnWriteArrayList<>();

    private final CredentialStore delegate;

    private InstrumentedStore(CredentialStore delegate) {
        this.delegate = delegate;
    }

    static CredentialStore wrap(CredentialStore store) {
        return store instanceof InstrumentedStore ? store : new InstrumentedStore(store);
    }

    /** The wrapped store (for code in this package that needs the chain itself). */
    CredentialStore delegate() {
        return delegate;
    }

    @Override
    public String id() {
        return delegate.id();
    }

    @Override
    public <T> Optional<T> unwrap(Class<T> type) {
        return type.isInstance(this) ? Optional.of(type.cast(this)) : delegate.unwrap(type);
    }

    @Override
    public Capabilities capabilities() {
        return delegate.capabilities();
    }

    @Override
    public Optional<Secret> get(String service, String account) {
        return timed("get", () -> delegate.get(service, account), Optional::isPresent);
    }

    @Override
    public void set(String service, String account, Secret secret) {
        timed("set", () -> {
            delegate.set(service, account, secret);
            return Boolean.TRUE;
        }, ok -> true);
    }

    @Override
    public void set(String service, String account, Secret secret, Duration ttl) {
        timed("set-ttl", () -> {
            delegate.set(service, account, secret, ttl);
            return Boolean.TRUE;
        }, ok -> true);
    }

    @Override
    public boolean delete(String service, String account) {
        return timed("delete", () -> delegate.delete(service, account), removed -> removed);
    }

    @Override
    public Optional<Credential> find(String service) {
        return timed("find", () -> delegate.find(service), Optional::isPresent);
    }

    @Override
    public List<CredentialId> list(String service) {
        return timed("list", () -> delegate.list(service), ids -> !ids.isEmpty());
    }

    @Override
    public List<CredentialId> list() {
        return timed("list-all", delegate::list, ids -> true);
    }

    @Override
    public Subscription watch(String service, String account, java.util.function.Consumer<CredentialEvent> listener) {
        return delegate.watch(service, account, listener);
    }

    @Override
    public void close() {
        delegate.close();
    }

    @Override
    public String toString() {
        return delegate.toString();
    }

    private <T> T timed(String operation, Supplier<T> call, java.util.function.Predicate<T> found) {
        OperationEvent event = jdk.jfr.FlightRecorder.isInitialized() ? new OperationEvent() : null;
        if (event != null) event.begin();
        long start = System.nanoTime();
        KeyringListener.Outcome outcome = KeyringListener.Outcome.ERROR;
        String errorType = "";
        try {
            T result = call.get();
            outcome = found.test(result) ? KeyringListener.Outcome.SUCCESS : KeyringListener.Outcome.NOT_FOUND;
            return result;
        } catch (RuntimeException | Error e) {
            errorType = e.getClass().getSimpleName();
            throw e;
        } finally {
            long nanos = System.nanoTime() - start;
            if (event != null) commit(event, operation, outcome, errorType);
            if (!LISTENERS.isEmpty()) {
                notifyListeners(new KeyringListener.Operation(delegate.id(), operation, outcome, errorType, Duration.ofNanos(nanos)));
            }
        }
    }

    private void commit(OperationEvent event, String operation, KeyringListener.Outcome outcome, String errorType) {
        event.end();
        if (event.shouldCommit()) {
            event.backend = delegate.id();
            event.operation = operation;
            event.outcome = outcome.name();
            event.errorType = errorType;
            event.commit();
        }
    }

    private static void notifyListeners(KeyringListener.Operation op) {
        for (KeyringListener l : LISTENERS) {
            try {
                l.operationCompleted(op);
            } catch (RuntimeException e) {
                System.getLogger("dev.keyring4j.listener").log(System.Logger.Level.WARNING, "a KeyringListener threw " + e.getClass().getName() + "; ignored");
            }
        }
    }
}
