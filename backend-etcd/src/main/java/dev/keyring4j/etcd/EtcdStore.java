package dev.keyring4j.etcd;

import com.google.crypto.tink.subtle.Random;
import dev.keyring4j.Capabilities;
import dev.keyring4j.ConfigurationException;
import dev.keyring4j.Credential;
import dev.keyring4j.CredentialEvent;
import dev.keyring4j.CredentialId;
import dev.keyring4j.CredentialStore;
import dev.keyring4j.KeyringException;
import dev.keyring4j.Secret;
import dev.keyring4j.StoreCorruptedException;
import dev.keyring4j.Subscription;
import dev.keyring4j.internal.CredentialWatcher;
import dev.keyring4j.keyset.Header;
import dev.keyring4j.keyset.Kek;
import dev.keyring4j.keyset.Keys;
import dev.keyring4j.keyset.KeysetProtection;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.KV;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * A credential store in etcd, shared by every host that has the same keyset protection (the same
 * key file, typically). The servers see neither names nor secrets: an entry lives at
 * {@code <prefix>e/<hex HMAC-SHA256 PRF of the names>} and its value is an AES256-GCM ciphertext of
 * the names and the secret whose associated data binds it to that key path and to the keyset's id;
 * {@code <prefix>keyset} holds the Tink keysets sealed under the key-encryption key (from the key
 * file, the passphrase or systemd-creds, as the encrypted file's).
 *
 * <p>Guarantees: every {@code set} and {@code delete} is one etcd transaction (linearizable); a
 * {@code set} is refused atomically if the keyset changed meanwhile (then retried under the new
 * one), so nothing is ever written under a retired key; {@code list} is one range read at one
 * revision; a ttl is an etcd lease of at least the ttl (rounded up to whole seconds, plus one so the
 * grant-to-write delay never cuts it short), so expiry is the server's for every host at once. Every
 * call is bounded by {@code etcd.timeout}; no quorum and unreachable members are
 * {@link dev.keyring4j.BackendUnavailableException}, RBAC and authentication refusals
 * {@link dev.keyring4j.AccessDeniedException}, a full database {@link dev.keyring4j.QuotaExceededException},
 * a value that fails to decrypt or sits at another key path {@link StoreCorruptedException}: never
 * "absent". {@link #rotate()} re-encrypts online. {@link #watch} is etcd's own watch on the entry
 * prefix, resumed from the last revision received after any interruption, so no change is missed
 * unless etcd compacted it away ({@code RESYNC} then). Thread-safe.
 */
public final class EtcdStore implements CredentialStore {
    private static final System.Logger LOG = System.getLogger(EtcdStore.class.getName());
    private static final int MAX_ATTEMPTS = 3;

    /** The keyset as last read from etcd, and the revision it was read at. */
    private record State(KeysetRecord record, long modRevision, Keys keys) {
        byte[] fileId() {
            return record.header().fileId();
        }
    }

    private final EtcdSettings settings;
    private final Client client;
    private final KV kv;
    private final EtcdFaults faults;
    private final ByteSequence keysetKey;
    private final String entryPrefix;
    private volatile State state;
    private volatile boolean closed;
    /** The key path of every watched credential, with how many subscriptions watch it. */
    private final Map<String, WatchedPath> watchedPaths = new ConcurrentHashMap<>();
    // re-reads a watched credential when etcd reports a write or delete at its key path
    private final CredentialWatcher watcher = new CredentialWatcher(EtcdProvider.ID, CredentialWatcher.secretsOf(this), this::watchEntries);

    private record WatchedPath(CredentialId id, int subscriptions) {
    }

    EtcdStore(EtcdSettings settings, Client client) {
        this.settings = settings;
        this.client = client;
        this.kv = client.getKVClient();
        this.faults = new EtcdFaults(settings.endpointList(), settings.prefix(), settings.timeout());
        this.keysetKey = bytes(settings.prefix() + "keyset");
        this.entryPrefix = settings.prefix() + "e/";
    }

    @Override
    public String id() {
        return EtcdProvider.ID;
    }

    @Override
    public Capabilities capabilities() {
        return EtcdProvider.CAPABILITIES;
    }

    // ------------------------------------------------------------------ keyset

    private State state() {
        State s = state;
        if (s != null) return s;
        synchronized (this) {
            if (state == null) state = loadOrCreate();
            return state;
        }
    }

    private State loadOrCreate() {
        for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
            GetResponse r = faults.await(kv.get(keysetKey), "reading the keyset " + keysetKey);
            if (r.getKvs().isEmpty()) {
                State created = create();
                if (created != null) return created;
                continue; // another host created it first: read theirs
            }
            return open(r.getKvs().get(0));
        }
        throw new KeyringException("the keyset of " + settings.where() + " keeps changing while being read; try again");
    }

    /** Creates the keyset, unless another host did first (then null). */
    private State create() {
        byte[] fileId = Random.randBytes(Header.FILE_ID_BYTES);
        KeysetProtection p = KeysetProtection.of(settings.protection(), settings);
        KeysetProtection.Created c = p.create(fileId);
        Kek kek;
        try {
            kek = Kek.derive(c.master(), fileId);
        } finally {
            Keys.wipe(c.master());
        }
        Header h = c.header().withCheck(kek.check());
        Keys keys = Keys.generate();
        KeysetRecord rec = KeysetRecord.of(h, kek.seal(keys, KeysetRecord.headerBytes(h)));
        TxnResponse t = faults.await(kv.txn()
                .If(new Cmp(keysetKey, Cmp.Op.EQUAL, CmpTarget.version(0)))
                .Then(Op.put(keysetKey, ByteSequence.from(rec.encode()), PutOption.DEFAULT))
                .commit(), "creating the keyset " + keysetKey);
        if (!t.isSucceeded()) return null;
        LOG.log(System.Logger.Level.INFO, "created the keyset of {0} ({1})", settings.where(), p.describe());
        return new State(rec, t.getPutResponses().get(0).getHeader().getRevision(), keys);
    }

    private State open(KeyValue kvp) {
        KeysetRecord rec;
        try {
            rec = KeysetRecord.decode(kvp.getValue().getBytes());
        } catch (IOException e) {
            throw corrupted("the keyset " + keysetKey + " cannot be read (" + e.getMessage() + ")");
        }
        Header h = rec.header();
        if (h.kind() != settings.protection()) {
            throw new ConfigurationException(settings.where() + " is protected by " + h.kind().id() + ", but etcd.protection says "
                    + settings.protection().id() + "; set etcd.protection = " + h.kind().id() + " or use another etcd.prefix");
        }
        State cur = state;
        if (cur != null && Arrays.equals(cur.record().headerBytes(), rec.headerBytes()) && Arrays.equals(cur.record().sealedKeys(), rec.sealedKeys())) {
            return new State(cur.record(), kvp.getModRevision(), cur.keys());
        }
        KeysetProtection p = KeysetProtection.of(h.kind(), settings);
        byte[] master = p.unlock(h);
        Kek kek;
        try {
            kek = Kek.derive(master, h.fileId());
        } finally {
            Keys.wipe(master);
        }
        if (!kek.matches(h.check())) {
            throw p.wrongKey(h).orElseGet(() -> corrupted("the unsealed key of the keyset does not match its check value"));
        }
        try {
            return new State(rec, kvp.getModRevision(), kek.open(rec.sealedKeys(), rec.headerBytes()));
        } catch (GeneralSecurityException e) {
            throw corrupted("the keyset " + keysetKey + " fails to decrypt under the right key (tampered or damaged)");
        }
    }

    /** Reads the keyset again when it changed since {@code seen} (a rotation by another host); true if it did. */
    private boolean refreshed(State seen) {
        GetResponse r = faults.await(kv.get(keysetKey), "reading the keyset " + keysetKey);
        if (r.getKvs().isEmpty()) throw corrupted("the keyset " + keysetKey + " has disappeared; its entries cannot be read any more");
        if (r.getKvs().get(0).getModRevision() == seen.modRevision()) return false;
        synchronized (this) {
            state = open(r.getKvs().get(0));
        }
        return true;
    }

    // ------------------------------------------------------------------ entries

    private ByteSequence path(byte[] entryId) {
        return bytes(entryPrefix + HexFormat.of().formatHex(entryId));
    }

    private static byte[] plaintext(byte[] service, byte[] account, byte[] secret) {
        return ByteBuffer.allocate(8 + service.length + account.length + secret.length)
                .putInt(service.length).put(service).putInt(account.length).put(account).put(secret).array();
    }

    /** A decrypted entry: names and secret; {@code secret} is wiped by whoever takes it. */
    private record Plain(String service, String account, byte[] secret) {
    }

    private Plain decrypt(KeyValue e, State s) {
        String key = e.getKey().toString(StandardCharsets.UTF_8);
        byte[] id;
        try {
            if (!key.startsWith(entryPrefix)) throw new IllegalArgumentException();
            id = HexFormat.of().parseHex(key.substring(entryPrefix.length()));
            if (id.length != Keys.ID_BYTES) throw new IllegalArgumentException();
        } catch (IllegalArgumentException x) {
            throw corrupted("the key " + key + " is not a keyring4j entry path");
        }
        byte[] plain;
        try {
            plain = s.keys().decryptEntry(e.getValue().getBytes(), s.fileId(), id);
        } catch (GeneralSecurityException x) {
            throw new Undecryptable(key);
        }
        try {
            ByteBuffer b = ByteBuffer.wrap(plain);
            byte[] service = new byte[b.getInt()];
            b.get(service);
            byte[] account = new byte[b.getInt()];
            b.get(account);
            byte[] secret = new byte[b.remaining()];
            b.get(secret);
            // the names inside must hash to the path: a value copied from another entry opens nowhere else
            if (!Arrays.equals(s.keys().entryId(service, account), id)) throw corrupted("the value at " + key + " belongs to another entry");
            return new Plain(decode(service, key), decode(account, key), secret);
        } catch (RuntimeException x) {
            if (x instanceof StoreCorruptedException) throw x;
            throw corrupted("the value at " + key + " decrypts to a malformed entry");
        } finally {
            Keys.wipe(plain);
        }
    }

    private String decode(byte[] b, String key) {
        try {
            return StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(b)).toString();
        } catch (CharacterCodingException e) {
            throw corrupted("the value at " + key + " holds a name that is not UTF-8");
        }
    }

    /** A value that does not open under the keyset held: tampered, or written under a newer keyset. */
    private static final class Undecryptable extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final String key;

        Undecryptable(String key) {
            super(null, null, false, false);
            this.key = key;
        }
    }

    /** Runs {@code read} under the current keyset; a value that fails to decrypt first makes it re-read the keyset once. */
    private <T> T decrypting(java.util.function.Function<State, T> read) {
        State s = state();
        try {
            return read.apply(s);
        } catch (Undecryptable u) {
            if (refreshed(s)) {
                try {
                    return read.apply(state());
                } catch (Undecryptable again) {
                    throw corrupted("the value at " + again.key + " fails to decrypt (tampered, or damaged)");
                }
            }
            throw corrupted("the value at " + u.key + " fails to decrypt (tampered, or damaged)");
        }
    }

    @Override
    public Optional<Secret> get(String service, String account) {
        CredentialId.requireNames(service, account);
        requireOpen();
        return decrypting(s -> {
            ByteSequence key = path(s.keys().entryId(utf8(service), utf8(account)));
            GetResponse r = faults.await(kv.get(key), "reading an entry");
            if (r.getKvs().isEmpty()) return Optional.<Secret>empty();
            Plain p = decrypt(r.getKvs().get(0), s);
            try {
                return Optional.of(Secret.of(p.secret()));
            } finally {
                Keys.wipe(p.secret());
            }
        });
    }

    @Override
    public void set(String service, String account, Secret secret) {
        write(service, account, secret, null);
    }

    @Override
    public void set(String service, String account, Secret secret, Duration ttl) {
        Objects.requireNonNull(ttl, "ttl");
        if (ttl.isNegative() || ttl.isZero()) throw new IllegalArgumentException("ttl must be positive: " + ttl);
        write(service, account, secret, ttl);
    }

    /** The lease of a ttl: whole seconds, rounded up, plus one for the time between the grant and the write. */
    static long leaseSeconds(Duration ttl) {
        long whole = ttl.getSeconds() + (ttl.getNano() > 0 ? 1 : 0);
        return Math.max(1, whole) + 1;
    }

    private void write(String service, String account, Secret secret, Duration ttl) {
        CredentialId.requireNames(service, account);
        Objects.requireNonNull(secret, "secret");
        requireOpen();
        byte[] sv = utf8(service);
        byte[] ac = utf8(account);
        for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
            State s = state();
            byte[] id = s.keys().entryId(sv, ac);
            byte[] value;
            byte[] sec = secret.asBytes();
            byte[] plain = plaintext(sv, ac, sec);
            try {
                value = s.keys().encryptEntry(plain, s.fileId(), id);
            } finally {
                Keys.wipe(sec);
                Keys.wipe(plain);
            }
            PutOption put = PutOption.DEFAULT;
            if (ttl != null) {
                long lease = faults.await(client.getLeaseClient().grant(leaseSeconds(ttl)), "granting a lease").getID();
                put = PutOption.builder().withLeaseId(lease).build();
            }
            // one transaction: written only if the keyset is still the one this value was encrypted under
            TxnResponse t = faults.await(kv.txn()
                    .If(new Cmp(keysetKey, Cmp.Op.EQUAL, CmpTarget.modRevision(s.modRevision())))
                    .Then(Op.put(path(id), ByteSequence.from(value), put))
                    .commit(), "writing an entry");
            if (t.isSucceeded()) return;
            refreshed(s);
        }
        throw new KeyringException("the keyset of " + settings.where() + " kept changing during a write (a rotation in progress?); try again");
    }

    @Override
    public boolean delete(String service, String account) {
        CredentialId.requireNames(service, account);
        requireOpen();
        State s = state();
        ByteSequence key = path(s.keys().entryId(utf8(service), utf8(account)));
        return faults.await(kv.delete(key), "deleting an entry").getDeleted() > 0;
    }

    /** Every entry, decrypted, from one range read (one revision). */
    private List<Plain> all(State s) {
        GetResponse r = faults.await(kv.get(bytes(entryPrefix), GetOption.builder().isPrefix(true).build()), "reading the entries (list)");
        List<Plain> out = new ArrayList<>(r.getKvs().size());
        for (KeyValue e : r.getKvs()) out.add(decrypt(e, s));
        return out;
    }

    @Override
    public Optional<Credential> find(String service) {
        if (service == null || service.isEmpty()) throw new IllegalArgumentException("service must be a non-empty string");
        requireOpen();
        return decrypting(s -> {
            Optional<Credential> found = Optional.empty();
            for (Plain p : all(s)) {
                if (found.isEmpty() && p.service().equals(service)) found = Optional.of(new Credential(p.service(), p.account(), Secret.of(p.secret())));
                Keys.wipe(p.secret());
            }
            return found;
        });
    }

    @Override
    public List<CredentialId> list(String service) {
        if (service == null || service.isEmpty()) throw new IllegalArgumentException("service must be a non-empty string");
        return list().stream().filter(id -> id.service().equals(service)).toList();
    }

    @Override
    public List<CredentialId> list() {
        requireOpen();
        return decrypting(s -> {
            List<CredentialId> ids = new ArrayList<>();
            for (Plain p : all(s)) {
                Keys.wipe(p.secret());
                ids.add(new CredentialId(p.service(), p.account()));
            }
            return ids;
        });
    }

    /**
     * Rotates the entry key online: a new primary key is added to the keyset (the old one still
     * decrypts), every entry is re-encrypted under it in its own transaction (skipped if it changed
     * meanwhile: its writer used the new key), then the old key is dropped. Hosts that hold the old
     * keyset re-read it on their next write or on the first value they cannot open. The key paths
     * (the PRF key) and the keyset protection stay. Returns how many entries were re-encrypted.
     */
    public synchronized int rotate() {
        requireOpen();
        State s = state();
        State next = replaceKeyset(s, s.keys().withNewEntryPrimary());
        int n = 0;
        GetResponse r = faults.await(kv.get(bytes(entryPrefix), GetOption.builder().isPrefix(true).build()), "reading the entries (rotate)");
        for (KeyValue e : r.getKvs()) {
            Plain p = decrypt(e, next);
            byte[] plain = plaintext(utf8(p.service()), utf8(p.account()), p.secret());
            Keys.wipe(p.secret());
            byte[] id = next.keys().entryId(utf8(p.service()), utf8(p.account()));
            byte[] value;
            try {
                value = next.keys().encryptEntry(plain, next.fileId(), id);
            } finally {
                Keys.wipe(plain);
            }
            PutOption put = e.getLease() != 0 ? PutOption.builder().withLeaseId(e.getLease()).build() : PutOption.DEFAULT;
            TxnResponse t = faults.await(kv.txn()
                    .If(new Cmp(e.getKey(), Cmp.Op.EQUAL, CmpTarget.modRevision(e.getModRevision())))
                    .Then(Op.put(e.getKey(), ByteSequence.from(value), put))
                    .commit(), "re-encrypting an entry (rotate)");
            if (t.isSucceeded()) n++;
        }
        replaceKeyset(state(), next.keys().withPrimaryEntryKeyOnly());
        LOG.log(System.Logger.Level.INFO, "rotated the entry key of {0}: {1} entries re-encrypted", settings.where(), n);
        return n;
    }

    /** Writes {@code keys} as the keyset (sealed under the same KEK), if the keyset is still {@code s}'s. */
    private State replaceKeyset(State s, Keys keys) {
        Header h = s.record().header();
        KeysetProtection p = KeysetProtection.of(h.kind(), settings);
        byte[] master = p.unlock(h);
        Kek kek;
        try {
            kek = Kek.derive(master, h.fileId());
        } finally {
            Keys.wipe(master);
        }
        KeysetRecord rec = new KeysetRecord(h, s.record().headerBytes(), kek.seal(keys, s.record().headerBytes()));
        TxnResponse t = faults.await(kv.txn()
                .If(new Cmp(keysetKey, Cmp.Op.EQUAL, CmpTarget.modRevision(s.modRevision())))
                .Then(Op.put(keysetKey, ByteSequence.from(rec.encode()), PutOption.DEFAULT))
                .commit(), "replacing the keyset (rotate)");
        if (!t.isSucceeded()) {
            throw new KeyringException("the keyset of " + settings.where() + " was changed by another host during the rotation; run it again");
        }
        State next = new State(rec, t.getPutResponses().get(0).getHeader().getRevision(), keys);
        state = next;
        return next;
    }

    private StoreCorruptedException corrupted(String what) {
        return new StoreCorruptedException(settings.where() + ": " + what + ". Nothing was changed; restore the key from a backup"
                + " (etcdctl snapshot restore) or delete it with etcdctl del if it is not needed");
    }

    private void requireOpen() {
        if (closed) throw new IllegalStateException("the etcd store " + settings.where() + " is closed");
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static ByteSequence bytes(String s) {
        return ByteSequence.from(s, StandardCharsets.UTF_8);
    }

    @Override
    public Subscription watch(String service, String account, Consumer<CredentialEvent> listener) {
        CredentialId id = new CredentialId(service, account);
        Objects.requireNonNull(listener, "listener");
        requireOpen();
        // the key paths do not change with a rotation (the PRF key stays), so the path computed now is the one events name
        String key = path(state().keys().entryId(utf8(service), utf8(account))).toString(StandardCharsets.UTF_8);
        watchedPaths.merge(key, new WatchedPath(id, 1), (a, b) -> new WatchedPath(a.id(), a.subscriptions() + 1));
        Subscription sub;
        try {
            sub = watcher.watch(service, account, listener);
        } catch (RuntimeException e) {
            unwatch(key);
            throw e;
        }
        AtomicBoolean once = new AtomicBoolean();
        return () -> {
            if (!once.compareAndSet(false, true)) return;
            sub.close();
            unwatch(key);
        };
    }

    private void unwatch(String key) {
        watchedPaths.computeIfPresent(key, (k, w) -> w.subscriptions() == 1 ? null : new WatchedPath(w.id(), w.subscriptions() - 1));
    }

    /** The etcd watch that runs while there is a subscription: from the revision after now (read here, bounded by etcd.timeout). */
    private AutoCloseable watchEntries(CredentialWatcher w) {
        long now = faults.await(kv.get(keysetKey), "starting a watch").getHeader().getRevision();
        return new EntryWatch(client, entryPrefix, now, w, key -> {
            WatchedPath p = watchedPaths.get(key);
            return p == null ? null : p.id();
        });
    }

    @Override
    public void close() {
        closed = true;
        watcher.close();
        client.close();
    }

    @Override
    public String toString() {
        return "EtcdStore[" + settings.endpointList() + " " + settings.prefix() + "]";
    }
}
