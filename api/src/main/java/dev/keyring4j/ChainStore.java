package dev.keyring4j;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Function;
import dev.keyring4j.internal.CredentialWatcher;

/**
 * Several stores in priority order, behaving as one (see DESIGN.md, "The chain"): reads answer
 * from the first member that has the credential, and a member that failed is never read as
 * "absent"; writes go to the first writable persistent member (with a ttl: the first with expiry)
 * and then remove stale copies from the other writable members; deletes go to all.
 */
final class ChainStore implements CredentialStore {
    private static final System.Logger LOG = System.getLogger("dev.keyring4j.chain");

    private final List<CredentialStore> members;
    private final String id;
    private final Capabilities capabilities;
    private final Routing routing;
    private final CredentialWatcher watcher;

    ChainStore(List<CredentialStore> members) {
        if (members.isEmpty()) throw new IllegalArgumentException("a chain needs at least one store");
        members.forEach(m -> Objects.requireNonNull(m, "member"));
        this.members = List.copyOf(members);
        List<String> ids = new ArrayList<>();
        members.forEach(m -> ids.add(m.id()));
        this.id = "chain" + ids.toString().replace(" ", "");
        List<Capabilities> caps = new ArrayList<>();
        members.forEach(m -> caps.add(m.capabilities()));
        this.routing = Routing.of(caps);
        Optional<CredentialStore> target = persistentTarget();
        this.capabilities = new Capabilities(
                members.stream().anyMatch(m -> m.capabilities().writable()),
                target.map(t -> t.capabilities().persistent()).orElse(false),
                target.map(t -> t.capabilities().encryptedAtRest()).orElse(false),
                members.stream().anyMatch(m -> m.capabilities().writable() && m.capabilities().expiry()),
                members.stream().allMatch(m -> m.capabilities().listable()),
                members.stream().anyMatch(m -> m.capabilities().watchable()));
        // the chain's own watch compares what get answers: a member's event only says "look again"
        this.watcher = new CredentialWatcher(id, CredentialWatcher.secretsOf(this), CredentialWatcher.none());
    }

    /** The members, in order. */
    List<CredentialStore> members() {
        return members;
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public Capabilities capabilities() {
        return capabilities;
    }

    /** This chain, or else the first member that is a {@code type}. */
    @Override
    public <T> Optional<T> unwrap(Class<T> type) {
        if (type.isInstance(this)) return Optional.of(type.cast(this));
        for (CredentialStore m : members) {
            Optional<T> found = m.unwrap(type);
            if (found.isPresent()) return found;
        }
        return Optional.empty();
    }

    /** The member a ttl-less write goes to: the first writable persistent one, else the first writable one. */
    Optional<CredentialStore> persistentTarget() {
        return routing.persistentTarget() < 0 ? Optional.empty() : Optional.of(members.get(routing.persistentTarget()));
    }

    /** The member a write with a ttl goes to. */
    Optional<CredentialStore> expiryTarget() {
        return routing.expiryTarget() < 0 ? Optional.empty() : Optional.of(members.get(routing.expiryTarget()));
    }

    /** A write (or delete) must not happen while a writable member gave no definite answer: fails before anything is written. */
    private void requireEveryWritableMemberAnswers() {
        for (CredentialStore m : members) {
            if (m instanceof IndeterminateStore unsure && m.capabilities().writable()) {
                throw unsure.failure("writing to another member of " + id + " could leave an older value in " + m.id()
                        + " that later reads would return, and its stale copy could not be removed");
            }
        }
    }

    @Override
    public Optional<Secret> get(String service, String account) {
        CredentialId.requireNames(service, account);
        return firstHit(m -> m.get(service, account));
    }

    @Override
    public Optional<Credential> find(String service) {
        CredentialId.requireService(service);
        return firstHit(m -> m.find(service));
    }

    private <T> Optional<T> firstHit(Function<CredentialStore, Optional<T>> read) {
        List<RuntimeException> failures = new ArrayList<>();
        for (CredentialStore m : members) {
            if (m instanceof IndeterminateStore unsure) {
                // what the members behind it say may be older than what it holds: no answer from behind it
                RuntimeException e = unsure.readFailure();
                failures.forEach(e::addSuppressed);
                throw e;
            }
            try {
                Optional<T> hit = read.apply(m);
                if (hit.isPresent()) return hit;
            } catch (IllegalArgumentException e) {
                // a name this member cannot hold: it cannot have the credential either
            } catch (RuntimeException e) {
                failures.add(e);
            }
        }
        throwIfAny(failures, "no other member of " + id + " has it, so the credential may exist in the failing store");
        return Optional.empty();
    }

    @Override
    public void set(String service, String account, Secret secret) {
        CredentialId.requireNames(service, account);
        Objects.requireNonNull(secret, "secret");
        requireEveryWritableMemberAnswers();
        CredentialStore target = persistentTarget().orElseThrow(() -> new ReadOnlyStoreException(
                "no member of " + id + " is writable; configure a writable backend (kernel, secret-service, encrypted-file)"));
        if (!target.capabilities().persistent()) {
            LOG.log(System.Logger.Level.WARNING, "no persistent writable backend in " + id
                    + "; the credential was written to " + target.id() + " and will not survive a reboot");
        }
        target.set(service, account, secret);
        removeStaleCopies(target, service, account);
    }

    @Override
    public void set(String service, String account, Secret secret, Duration ttl) {
        CredentialId.requireNames(service, account);
        Objects.requireNonNull(secret, "secret");
        Objects.requireNonNull(ttl, "ttl");
        requireEveryWritableMemberAnswers();
        CredentialStore target = expiryTarget().orElseThrow(() -> members.stream().anyMatch(m -> m.capabilities().writable())
                ? new UnsupportedOperationException("no writable member of " + id + " can expire credentials; add the kernel backend or set without a ttl")
                : new ReadOnlyStoreException("every member of " + id + " is read-only, so nothing can be stored, with or without a ttl;"
                        + " add a writable backend (kernel, for credentials that expire)"));
        target.set(service, account, secret, ttl);
        removeStaleCopies(target, service, account);
    }

    private void removeStaleCopies(CredentialStore target, String service, String account) {
        List<RuntimeException> failures = new ArrayList<>();
        for (CredentialStore m : members) {
            if (m == target || !m.capabilities().writable()) continue;
            try {
                m.delete(service, account);
            } catch (IllegalArgumentException e) {
                // cannot hold this name, so it holds no stale copy
            } catch (RuntimeException e) {
                failures.add(e);
            }
        }
        throwIfAny(failures, "the credential was written to " + target.id()
                + ", but an older copy may remain in the failing store and shadow it");
    }

    @Override
    public boolean delete(String service, String account) {
        CredentialId.requireNames(service, account);
        requireEveryWritableMemberAnswers();
        boolean any = false;
        List<RuntimeException> failures = new ArrayList<>();
        for (CredentialStore m : members) {
            if (!m.capabilities().writable()) continue;
            try {
                any |= m.delete(service, account);
            } catch (IllegalArgumentException e) {
                // cannot hold this name
            } catch (RuntimeException e) {
                failures.add(e);
            }
        }
        throwIfAny(failures, "the credential may remain in the failing store");
        if (!any && members.stream().noneMatch(m -> m.capabilities().writable())) {
            throw new ReadOnlyStoreException("no member of " + id + " is writable, so nothing can be deleted");
        }
        return any;
    }

    @Override
    public List<CredentialId> list(String service) {
        CredentialId.requireService(service);
        return merged(m -> m.list(service));
    }

    @Override
    public List<CredentialId> list() {
        return merged(CredentialStore::list);
    }

    private List<CredentialId> merged(Function<CredentialStore, List<CredentialId>> read) {
        Set<CredentialId> out = new LinkedHashSet<>();
        List<RuntimeException> failures = new ArrayList<>();
        for (CredentialStore m : members) {
            try {
                out.addAll(read.apply(m));
            } catch (IllegalArgumentException e) {
                // cannot hold this name
            } catch (RuntimeException e) {
                failures.add(e);
            }
        }
        throwIfAny(failures, "the listing would be incomplete");
        return List.copyOf(out);
    }

    /** Rethrows the first failure (keeping its type, so callers can catch LockedException) with the others attached. */
    private static void throwIfAny(List<RuntimeException> failures, String consequence) {
        if (failures.isEmpty()) return;
        RuntimeException first = failures.get(0);
        for (int i = 1; i < failures.size(); i++) first.addSuppressed(failures.get(i));
        first.addSuppressed(new KeyringException("in a chain: " + consequence));
        throw first;
    }

    /**
     * Watches every watchable member and reports a change of the value the chain's {@code get}
     * answers: a new value in a higher member shadowing a lower one is {@code CHANGED}, deleting it
     * while a lower member holds the credential is {@code CHANGED}, deleting the last copy is
     * {@code DELETED}. A change a lower member makes under a higher member's copy fires nothing.
     * A member's {@code RESYNC} is the chain's {@code RESYNC}. Members that cannot watch (env)
     * contribute nothing.
     */
    @Override
    public Subscription watch(String service, String account, Consumer<CredentialEvent> listener) {
        CredentialId.requireNames(service, account);
        Objects.requireNonNull(listener, "listener");
        if (!capabilities.watchable()) return CredentialStore.super.watch(service, account, listener);
        Subscription outer = watcher.watch(service, account, listener);
        List<Subscription> inner = new ArrayList<>();
        try {
            for (CredentialStore m : members) {
                if (!m.capabilities().watchable()) continue;
                try {
                    inner.add(m.watch(service, account, e -> {
                        if (e.kind() == CredentialEvent.Kind.RESYNC) watcher.resync();
                        else watcher.changed(e.id());
                    }));
                } catch (IllegalArgumentException e) {
                    // a name this member cannot hold: it never changes there
                }
            }
        } catch (RuntimeException e) {
            inner.forEach(Subscription::close);
            outer.close();
            throw e;
        }
        // the chain's baseline was read before the members took theirs: a change in between would be in
        // every member's baseline and fire nothing, so compare once more now that all of them watch
        watcher.changed(new CredentialId(service, account));
        java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();
        return () -> {
            if (!closed.compareAndSet(false, true)) return;
            inner.forEach(Subscription::close);
            outer.close();
        };
    }

    @Override
    public void close() {
        watcher.close();
        for (CredentialStore m : members) {
            try {
                m.close();
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "closing " + m.id() + " failed: " + Backends.oneLine(e));
            }
        }
    }

    @Override
    public String toString() {
        return id;
    }
}
