package dev.keyring4j.micrometer;

import dev.keyring4j.Keyring;
import dev.keyring4j.KeyringListener;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * Rate, errors and duration of keyring4j store operations as one Micrometer timer,
 * {@value #METER_NAME}, fed by a {@link KeyringListener}.
 *
 * <p>Every operation on every store {@link Keyring} returns in this JVM ({@code Keyring.open(…)},
 * {@code Keyring.chain(…)}) is recorded once, with the tags
 * <ul>
 *   <li>{@code backend}: the store's id, {@code kernel}, {@code encrypted-file}, or for a chain
 *       {@code chain[secret-service,encrypted-file]};</li>
 *   <li>{@code operation}: {@code get}, {@code set}, {@code set-ttl}, {@code delete}, {@code find},
 *       {@code list}, {@code list-all};</li>
 *   <li>{@code outcome}: {@code SUCCESS}, {@code NOT_FOUND} (a read found nothing, a delete had
 *       nothing to remove), {@code ERROR};</li>
 *   <li>{@code error}: {@code none} unless the outcome is {@code ERROR}, then the simple class name
 *       of the exception ({@code LockedException}, {@code ReadOnlyStoreException}, …; {@code unknown}
 *       for a class without one). Never its message. Named {@code error} as Micrometer's
 *       observation conventions name it;</li>
 * </ul>
 * plus the common tags given to the constructor. Nothing else: no service, account or secret
 * reaches a meter name, a tag or a description (the listener is never given them). The tag values
 * come from small fixed sets, so the timer's cardinality is bounded by the backends in use.
 *
 * <p>{@link #bindTo} registers the listener with {@link Keyring#addListener} the first time;
 * one instance may be bound to several registries and records every operation in each (binding
 * the same registry again is ignored). Do not bind two instances to one registry, nor one to a
 * composite registry and to its members: each would count every operation again. Meters are
 * created as operations of each kind happen; histograms and percentiles are the registry's
 * choice ({@code MeterFilter}).
 *
 * <p>{@link #close()} unbinds: it removes the listener, and from the moment it returns nothing more
 * is recorded. Meters already registered stay in their registries with their last values (Micrometer
 * binders do not unregister; a Prometheus counter that vanished would read as a reset); remove them
 * with {@code registry.find("keyring4j.operations").meters().forEach(registry::remove)} if they must go.
 * A closed instance cannot be bound again. Thread-safe.
 */
public final class KeyringMetrics implements MeterBinder, AutoCloseable {
    /** The name of the timer: {@code keyring4j_operations_seconds} in Prometheus. */
    public static final String METER_NAME = "keyring4j.operations";

    private static final String DESCRIPTION = "keyring4j credential store operations by backend, operation and outcome (no names, no secrets)";

    private record Binding(MeterRegistry registry, Meter.MeterProvider<Timer> timers) {
    }

    private final Tags commonTags;
    private final List<Binding> bindings = new CopyOnWriteArrayList<>();
    private final KeyringListener listener = this::record;
    // recording shares the read lock, close() takes the write lock: once close() returns, no record is in flight or to come
    private final ReadWriteLock lock = new ReentrantReadWriteLock();
    private boolean closed; // the listener is registered exactly while bindings is non-empty

    /** Metrics with no common tags. */
    public KeyringMetrics() {
        this(Tags.empty());
    }

    /**
     * Metrics with these tags added to every timer (e.g. {@code Tags.of("application", "orders")});
     * they must not carry names or secrets either, since they are published as given.
     */
    public KeyringMetrics(Iterable<Tag> commonTags) {
        this.commonTags = Tags.of(Objects.requireNonNull(commonTags, "commonTags"));
    }

    /**
     * Starts recording into {@code registry} (and into every registry bound before).
     *
     * @throws IllegalStateException after {@link #close()}
     */
    @Override
    public void bindTo(MeterRegistry registry) {
        Objects.requireNonNull(registry, "registry");
        lock.writeLock().lock();
        try {
            if (closed) throw new IllegalStateException("this KeyringMetrics is closed; create a new one to bind " + registry.getClass().getSimpleName());
            for (Binding b : bindings) {
                if (b.registry() == registry) return;
            }
            if (bindings.isEmpty()) Keyring.addListener(listener);
            bindings.add(new Binding(registry, Timer.builder(METER_NAME).description(DESCRIPTION).tags(commonTags).withRegistry(registry)));
        } finally {
            lock.writeLock().unlock();
        }
    }

    /** Unbinds from every registry: removes the listener; nothing is recorded once this returns. Idempotent. */
    @Override
    public void close() {
        lock.writeLock().lock();
        try {
            closed = true;
            if (!bindings.isEmpty()) Keyring.removeListener(listener);
            bindings.clear();
        } finally {
            lock.writeLock().unlock();
        }
    }

    private void record(KeyringListener.Operation op) {
        String error = op.outcome() != KeyringListener.Outcome.ERROR ? "none" : op.errorType().isEmpty() ? "unknown" : op.errorType();
        lock.readLock().lock();
        try {
            if (closed) return;
            for (Binding b : bindings) {
                // the provider finds the registered timer by id (Micrometer caches it), so a meter removed from the registry is recreated
                b.timers().withTags("backend", op.backend(), "operation", op.operation(), "outcome", op.outcome().name(), "error", error)
                        .record(op.duration());
            }
        } finally {
            lock.readLock().unlock();
        }
    }

    @Override
    public String toString() {
        return "KeyringMetrics[" + METER_NAME + ", " + bindings.size() + " registries" + (closed ? ", closed" : "") + "]";
    }
}
