package dev.keyring4j.internal;

import dev.keyring4j.CredentialEvent;
import dev.keyring4j.CredentialId;
import dev.keyring4j.CredentialStore;
import dev.keyring4j.Secret;
import dev.keyring4j.Subscription;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The watch machinery of one store, shared by every keyring4j backend (not API): the
 * subscriptions by credential, the last state seen of each watched credential, the comparison that
 * turns "something may have changed" into {@code CREATED}/{@code CHANGED}/{@code DELETED} for the
 * credentials that did change, and delivery through {@link WatchDispatch}'s shared threads.
 *
 * <p>A backend supplies how to read a credential's state ({@link StateReader}: anything comparable
 * with {@code equals}, null when absent; {@link #secretsOf} digests the secret with a per-process
 * random key, so no secret is kept) and what tells it to look ({@link Source}: a poll, a directory
 * watch, D-Bus signals), which runs only while the store has a subscription. The source calls
 * {@link #changed()} (or {@link #changed(CredentialId)}); several calls within the debounce delay
 * cost one re-read of each watched credential. {@link #resync()} re-reads every baseline and sends
 * {@code RESYNC}.
 */
public final class CredentialWatcher {
    private static final System.Logger LOG = System.getLogger("dev.keyring4j.watch");
    /** Writers replace files in several steps (temp file, rename, journal): one look after they settle. */
    public static final Duration DEFAULT_DEBOUNCE = Duration.ofMillis(50);

    /** Made at the first digest, not when a store is built: a cold SecureRandom costs about 20 ms of a start that never watches. */
    private static final class DigestKey {
        static final byte[] VALUE = new byte[32];

        static {
            new SecureRandom().nextBytes(VALUE);
        }
    }

    /** Reads the state of one credential: null when absent; throws when it cannot be read now (nothing fires then). */
    @FunctionalInterface
    public interface StateReader {
        Object read(CredentialId id);
    }

    /** Starts telling the watcher to look (a poll, a directory watch, signals); the handle stops it. */
    @FunctionalInterface
    public interface Source {
        AutoCloseable start(CredentialWatcher watcher) throws Exception;
    }

    private final String backend;
    private final StateReader reader;
    private final Source source;
    private final Duration debounce;
    private final Map<CredentialId, Watched> watched = new ConcurrentHashMap<>();
    private final Set<CredentialId> pending = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean scheduled = new AtomicBoolean();
    // orders the reads of one credential: a read's result is applied only if no read that started later was
    private final AtomicLong tickets = new AtomicLong();
    private volatile boolean allPending;
    private int subscriptions; // guarded by this
    private AutoCloseable running; // guarded by this
    private boolean closed; // guarded by this

    private static final class Watched {
        Object state; // guarded by this
        boolean known; // guarded by this
        long applied; // the ticket of the read state came from; guarded by this
        final List<Sub> subs = new CopyOnWriteArrayList<>();
    }

    public CredentialWatcher(String backend, StateReader reader, Source source) {
        this(backend, reader, source, DEFAULT_DEBOUNCE);
    }

    public CredentialWatcher(String backend, StateReader reader, Source source, Duration debounce) {
        this.backend = Objects.requireNonNull(backend, "backend");
        this.reader = Objects.requireNonNull(reader, "reader");
        this.source = Objects.requireNonNull(source, "source");
        this.debounce = Objects.requireNonNull(debounce, "debounce");
    }

    /** A source that looks every {@code interval}. */
    public static Source polling(Duration interval) {
        return w -> WatchDispatch.every(interval, w::changed);
    }

    /** Runs {@code task} on the shared watch threads every {@code interval} (never two at once); the handle stops it. */
    public static AutoCloseable every(Duration interval, Runnable task) {
        return WatchDispatch.every(interval, task);
    }

    /**
     * Closes a watch handle a source holds (a signal subscription, a directory watch, a stream, a
     * timer), if any, without throwing: a watch being stopped may already be dead (a dropped bus, a
     * killed server), and stopping it must not fail the caller. A failure is logged at DEBUG, class only.
     */
    public static void stop(AutoCloseable handle, String backend) {
        if (handle == null) return;
        try {
            handle.close();
        } catch (Exception e) {
            LOG.log(System.Logger.Level.DEBUG, backend + ": stopping a watch handle failed: " + e.getClass().getName());
        }
    }

    /** Daemon threads named {@code prefix1}, {@code prefix2}, …, for a backend's own watch machinery (as the shared watch threads are made). */
    public static java.util.concurrent.ThreadFactory daemonThreads(String prefix) {
        return WatchDispatch.daemons(prefix);
    }

    /** A source that never looks by itself: the backend calls {@link #changed} when it knows. */
    public static Source none() {
        return w -> () -> { };
    }

    /** The state of a credential as {@code store.get} reads it: a keyed digest of the secret (never the secret), or null. */
    public static StateReader secretsOf(CredentialStore store) {
        return id -> fingerprint(store.get(id.service(), id.account()));
    }

    /** A digest of the secret under a key that exists only in this process's memory; null when absent. The secret is destroyed. */
    public static Object fingerprint(Optional<Secret> secret) {
        if (secret.isEmpty()) return null;
        try (Secret s = secret.get()) {
            byte[] bytes = s.asBytes();
            try {
                Mac mac = Mac.getInstance("HmacSHA256");
                mac.init(new SecretKeySpec(DigestKey.VALUE, "HmacSHA256"));
                return new Digest(mac.doFinal(bytes));
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("HmacSHA256 is missing from this JDK", e);
            } finally {
                Arrays.fill(bytes, (byte) 0);
            }
        }
    }

    /** A digest compared by content; its toString shows nothing. */
    private record Digest(byte[] value) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Digest d && java.security.MessageDigest.isEqual(value, d.value);
        }

        @Override
        public int hashCode() {
            return Arrays.hashCode(value);
        }

        @Override
        public String toString() {
            return "Digest[not shown]";
        }
    }

    /** Starts watching {@code (service, account)}; the first subscription of the store starts the source. */
    public Subscription watch(String service, String account, Consumer<CredentialEvent> listener) {
        CredentialId id = new CredentialId(service, account);
        Objects.requireNonNull(listener, "listener");
        Sub sub = new Sub(id, listener);
        boolean fresh;
        synchronized (this) {
            if (closed) throw new IllegalStateException("this " + backend + " store is closed");
            if (subscriptions == 0) {
                try {
                    running = source.start(this);
                } catch (RuntimeException e) {
                    throw e;
                } catch (Exception e) {
                    throw new IllegalStateException("could not start watching the " + backend + " store: " + e, e);
                }
            }
            subscriptions++;
            Watched w = watched.computeIfAbsent(id, k -> new Watched());
            fresh = w.subs.isEmpty(); // the first subscription of this credential (a Watched without one is removed)
            w.subs.add(sub);
        }
        if (fresh) baseline(id);
        return sub;
    }

    /**
     * Reads the state of {@code id} (outside any lock: a read may take the store's whole timeout) and
     * applies it, unless a read that started later was applied first. The first state known sets the
     * baseline without an event; after that, a different state is an event (when {@code report}),
     * queued to the subscriptions under the same lock, so that events leave in the order the states
     * were applied.
     */
    private void look(CredentialId id, Watched w, boolean report) {
        long ticket = tickets.incrementAndGet();
        Object now = reader.read(id);
        synchronized (w) {
            if (ticket < w.applied) return; // older than what is known
            w.applied = ticket;
            Object before = w.state;
            boolean wasKnown = w.known;
            w.state = now;
            w.known = true;
            if (!wasKnown || !report || Objects.equals(before, now)) return;
            CredentialEvent event = new CredentialEvent(id, before == null ? CredentialEvent.Kind.CREATED
                    : now == null ? CredentialEvent.Kind.DELETED : CredentialEvent.Kind.CHANGED);
            for (Sub s : w.subs) s.offer(event); // only enqueues: delivery runs on the dispatch threads
        }
    }

    /** Reads the first state of a newly watched credential, so that a later change compares with it. */
    private void baseline(CredentialId id) {
        Watched w = watched.get(id);
        if (w == null) return;
        try {
            look(id, w, true); // an event only if a recheck knew it first and it changed since
        } catch (RuntimeException e) {
            // unknown for now: the next successful read sets it without an event
            LOG.log(System.Logger.Level.DEBUG, backend + ": the first read of a watched credential failed: " + e.getClass().getName());
        }
    }

    /** Something may have changed: re-read every watched credential after the debounce delay. */
    public void changed() {
        if (watched.isEmpty()) return;
        allPending = true;
        schedule();
    }

    /** This credential may have changed: re-read it after the debounce delay. */
    public void changed(CredentialId id) {
        if (!watched.containsKey(id)) return;
        pending.add(id);
        schedule();
    }

    private void schedule() {
        if (scheduled.compareAndSet(false, true)) WatchDispatch.later(this::recheck, debounce);
    }

    /** Events may have been missed: re-read every baseline, then tell every listener {@code RESYNC}. */
    public void resync() {
        for (Map.Entry<CredentialId, Watched> e : watched.entrySet()) {
            Watched w = e.getValue();
            try {
                look(e.getKey(), w, false);
            } catch (RuntimeException ex) {
                synchronized (w) {
                    w.known = false; // the next successful read sets it without an event
                }
            }
        }
        for (Watched w : watched.values()) {
            for (Sub s : w.subs) s.offer(new CredentialEvent(s.id, CredentialEvent.Kind.RESYNC));
        }
    }

    private void recheck() {
        scheduled.set(false);
        Set<CredentialId> ids;
        if (allPending) {
            allPending = false;
            pending.clear();
            ids = new HashSet<>(watched.keySet());
        } else {
            ids = new HashSet<>(pending);
            pending.removeAll(ids);
        }
        for (CredentialId id : ids) {
            Watched w = watched.get(id);
            if (w == null) continue;
            try {
                look(id, w, true);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.DEBUG, backend + ": re-reading a watched credential failed: " + e.getClass().getName());
            }
        }
    }

    /** How many subscriptions are open. */
    public synchronized int subscriptions() {
        return subscriptions;
    }

    /** Closes every subscription (the store is closing) and stops the source. */
    public void close() {
        List<Sub> all = new ArrayList<>();
        synchronized (this) {
            closed = true;
            watched.values().forEach(w -> all.addAll(w.subs));
        }
        all.forEach(Sub::close);
    }

    private void remove(Sub sub) {
        AutoCloseable stop = null;
        synchronized (this) {
            Watched w = watched.get(sub.id);
            if (w == null || !w.subs.remove(sub)) return;
            if (w.subs.isEmpty()) watched.remove(sub.id);
            if (--subscriptions == 0) {
                stop = running;
                running = null;
            }
        }
        if (stop != null) {
            try {
                stop.close();
            } catch (Exception e) {
                LOG.log(System.Logger.Level.WARNING, backend + ": stopping the watch failed: " + e.getClass().getName());
            }
        }
    }

    /** One subscription: a queue of its own events, drained on a shared worker, one event at a time, in order. */
    private final class Sub implements Subscription {
        private static final int IDLE = 0;
        private static final int DELIVERING = 1;
        private static final int CLOSED = 2;

        final CredentialId id;
        private final Consumer<CredentialEvent> listener;
        private final ConcurrentLinkedQueue<CredentialEvent> queue = new ConcurrentLinkedQueue<>();
        private final AtomicBoolean draining = new AtomicBoolean();
        // IDLE -> DELIVERING around each listener call; close() sets CLOSED, after which no call starts
        // (the one DELIVERING then, if any, finishes: close() does not wait for it)
        private final AtomicInteger state = new AtomicInteger(IDLE);

        Sub(CredentialId id, Consumer<CredentialEvent> listener) {
            this.id = id;
            this.listener = listener;
        }

        private boolean open() {
            return state.get() != CLOSED;
        }

        void offer(CredentialEvent e) {
            if (!open()) return;
            queue.add(e);
            if (draining.compareAndSet(false, true)) WatchDispatch.execute(this::drain);
        }

        private void drain() {
            while (true) {
                CredentialEvent e;
                while ((e = queue.poll()) != null) {
                    if (!state.compareAndSet(IDLE, DELIVERING)) break; // closed
                    try {
                        listener.accept(e);
                    } catch (Throwable t) {
                        // a broken listener must not stop the others: logged without its message, which might quote anything
                        LOG.log(System.Logger.Level.WARNING, backend + ": a watch listener threw " + t.getClass().getName() + "; ignored");
                    } finally {
                        state.compareAndSet(DELIVERING, IDLE); // stays CLOSED if the listener (or anyone) closed it meanwhile
                    }
                }
                if (!open()) queue.clear();
                draining.set(false);
                if (queue.isEmpty() || !draining.compareAndSet(false, true)) return;
            }
        }

        @Override
        public void close() {
            if (state.getAndSet(CLOSED) == CLOSED) return;
            queue.clear();
            remove(this);
        }

        @Override
        public String toString() {
            return "Subscription[" + backend + ", " + (open() ? "open" : "closed") + "]";
        }
    }
}
