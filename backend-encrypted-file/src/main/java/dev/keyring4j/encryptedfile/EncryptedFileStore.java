package dev.keyring4j.encryptedfile;

import com.google.crypto.tink.subtle.Random;
import dev.keyring4j.BackendUnavailableException;
import dev.keyring4j.Capabilities;
import dev.keyring4j.CredentialId;
import dev.keyring4j.CredentialStore;
import dev.keyring4j.KeyringException;
import dev.keyring4j.Secret;
import dev.keyring4j.StoreCorruptedException;
import java.io.IOException;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The {@code encrypted-file} store: credentials in one Tink-encrypted file (format
 * {@code keyring4j-file/1}, see {@code docs/backends/encrypted-file.md}).
 *
 * <p>Guarantees, beyond those of {@link CredentialStore}:
 * <ul>
 * <li>every write replaces the whole file atomically and durably (temp file, fsync, rename, fsync of
 *     the directory) under an exclusive cross-process lock; when a write returns, it survives a
 *     crash, and readers never see a half-written file;</li>
 * <li>a store held open sees what other processes wrote (it re-reads the file when it changed);</li>
 * <li>any changed, missing or added byte is a {@link StoreCorruptedException} naming the file and
 *     its backup ({@code <file>.bak}, the last good state); nothing is returned from a damaged
 *     file and nothing is written over it;</li>
 * <li>a wrong passphrase or another store's key file is a {@link dev.keyring4j.LockedException},
 *     never corruption, when the file is intact;</li>
 * <li>the file is created 0600 in a 0700 directory, and a file or directory that group or others
 *     can read or write is refused ({@link dev.keyring4j.AccessDeniedException} with the
 *     {@code chmod} to run);</li>
 * <li>a set costs one rewrite of the file: O(n) in the number of entries, with one AES-GCM
 *     encryption (the other entries' ciphertexts are copied as they are).</li>
 * </ul>
 * Nothing is read or unlocked until the first operation; the file is created by the first write.
 * Thread-safe.
 */
public final class EncryptedFileStore implements CredentialStore {
    private static final System.Logger LOG = System.getLogger(EncryptedFileStore.class.getName());
    private static final Capabilities CAPABILITIES = new Capabilities(true, true, true, true, true);

    private final StoreSettings settings;
    private final Path path;
    private final Path dir;
    private final Path lockPath;
    private final Path backupPath;
    private final Clock clock;
    private final ProtectionKind defaultProtection;

    // guarded by this
    private boolean closed;
    private boolean loaded;
    private Stamp stamp;
    private Loaded current;
    private Kek kek;
    private byte[] kekHeader;
    private boolean tempsCleaned;

    /** What the file held when last read or written, verified. */
    private record Loaded(Header header, byte[] headerBytes, byte[] keyset, Keys keys, TreeMap<String, Entry> entries) {
        Loaded withEntries(TreeMap<String, Entry> e) {
            return new Loaded(header, headerBytes, keyset, keys, e);
        }
    }

    /** Identifies one version of the file: every write is a new inode (rename), and size and times change too. */
    private record Stamp(Object dev, Object ino, Object size, Object mtime, Object ctime) {
    }

    EncryptedFileStore(StoreSettings settings, ProtectionKind defaultProtection) {
        this.settings = settings;
        this.path = settings.path();
        this.dir = path.getParent();
        this.lockPath = dir.resolve(path.getFileName() + ".lock");
        this.backupPath = dir.resolve(path.getFileName() + ".bak");
        this.clock = settings.clock();
        this.defaultProtection = defaultProtection;
        // refuse an exposed directory or file now rather than at the first use
        PrivateFiles.requirePrivate(dir, "encrypted file store directory", true);
        PrivateFiles.requirePrivate(path, "encrypted file store", false);
    }

    /** The store file. */
    public Path path() {
        return path;
    }

    @Override
    public String id() {
        return EncryptedFileProvider.ID;
    }

    @Override
    public Capabilities capabilities() {
        return CAPABILITIES;
    }

    // ------------------------------------------------------------------ reads

    @Override
    public synchronized Optional<Secret> get(String service, String account) {
        CredentialId name = checkedName(service, account);
        Loaded l = read();
        if (l == null) return Optional.empty();
        Entry e = l.entries.get(idOf(l.keys, name));
        if (e == null || e.expiredAt(clock.millis())) return Optional.empty();
        byte[] s;
        try {
            s = e.secret(l.keys, l.header.fileId());
        } catch (GeneralSecurityException ex) {
            throw corrupted("an entry no longer decrypts");
        }
        try {
            return Optional.of(Secret.of(s));
        } finally {
            Keys.wipe(s);
        }
    }

    @Override
    public synchronized List<CredentialId> list(String service) {
        if (service == null) throw new NullPointerException("service");
        if (service.isEmpty()) throw new IllegalArgumentException("service must not be empty");
        List<CredentialId> out = new ArrayList<>();
        for (CredentialId id : list()) {
            if (id.service().equals(service)) out.add(id);
        }
        return out;
    }

    @Override
    public synchronized List<CredentialId> list() {
        Loaded l = read();
        if (l == null) return List.of();
        long now = clock.millis();
        List<CredentialId> out = new ArrayList<>(l.entries.size());
        for (Entry e : l.entries.values()) {
            if (!e.expiredAt(now)) out.add(e.name);
        }
        return out;
    }

    // ------------------------------------------------------------------ writes

    @Override
    public void set(String service, String account, Secret secret) {
        put(checkedName(service, account), Objects.requireNonNull(secret, "secret"), 0);
    }

    /** Stores the secret with {@code expires = now + ttl}; once expired it reads as absent and the next write purges it. */
    @Override
    public void set(String service, String account, Secret secret, Duration ttl) {
        CredentialId name = checkedName(service, account);
        Objects.requireNonNull(secret, "secret");
        if (ttl == null) throw new NullPointerException("ttl");
        if (ttl.isNegative() || ttl.isZero()) throw new IllegalArgumentException("ttl must be positive");
        long now = clock.millis();
        long expires;
        try {
            expires = Math.addExact(now, Math.max(1, ttl.toMillis()));
        } catch (ArithmeticException e) {
            expires = Long.MAX_VALUE;
        }
        put(name, secret, expires);
    }

    @SuppressWarnings("try") // the lock is held for the whole block, not referenced in it
    private synchronized void put(CredentialId name, Secret secret, long expires) {
        byte[] value = secret.asBytes();
        try (LockFile lock = lock()) {
            Loaded base = read();
            if (base == null) base = create();
            long now = clock.millis();
            TreeMap<String, Entry> entries = new TreeMap<>(base.entries);
            entries.values().removeIf(e -> e.expiredAt(now));
            Entry e = Entry.seal(base.keys, base.header.fileId(), name, value, now, expires);
            entries.put(e.id, e);
            commit(base.withEntries(entries), PrivateFiles.Backup.PREVIOUS);
        } catch (IOException e) {
            throw writeFailed(e);
        } finally {
            Keys.wipe(value);
        }
    }

    /**
     * Stores every credential in one rewrite of the file (an import or a migration costs O(n)
     * once, instead of O(n) per credential). All names are checked before anything is written.
     */
    @SuppressWarnings("try") // the lock is held for the whole block, not referenced in it
    public synchronized void setAll(Map<CredentialId, Secret> credentials) {
        List<CredentialId> names = new ArrayList<>(credentials.size());
        for (CredentialId id : credentials.keySet()) names.add(checkedName(id.service(), id.account()));
        try (LockFile lock = lock()) {
            Loaded base = read();
            if (base == null) base = create();
            long now = clock.millis();
            TreeMap<String, Entry> entries = new TreeMap<>(base.entries);
            entries.values().removeIf(e -> e.expiredAt(now));
            for (CredentialId name : names) {
                byte[] value = Objects.requireNonNull(credentials.get(name), "secret").asBytes();
                try {
                    Entry e = Entry.seal(base.keys, base.header.fileId(), name, value, now, 0);
                    entries.put(e.id, e);
                } finally {
                    Keys.wipe(value);
                }
            }
            commit(base.withEntries(entries), PrivateFiles.Backup.PREVIOUS);
        } catch (IOException e) {
            throw writeFailed(e);
        }
    }

    @Override
    @SuppressWarnings("try") // the lock is held for the whole block, not referenced in it
    public synchronized boolean delete(String service, String account) {
        CredentialId name = checkedName(service, account);
        try (LockFile lock = lock()) {
            Loaded base = read();
            if (base == null) return false;
            String id = idOf(base.keys, name);
            Entry old = base.entries.get(id);
            if (old == null) return false; // nothing to write
            long now = clock.millis();
            TreeMap<String, Entry> entries = new TreeMap<>(base.entries);
            entries.remove(id);
            entries.values().removeIf(e -> e.expiredAt(now));
            commit(base.withEntries(entries), PrivateFiles.Backup.PREVIOUS);
            return !old.expiredAt(now);
        } catch (IOException e) {
            throw writeFailed(e);
        }
    }

    /**
     * Rotates the keys: adds a new primary AES256-GCM key, PRF key and MAC key to the keyset, re-encrypts
     * every entry under them (entry ids change with the PRF key), drops the old keys, and writes
     * the file once. Expired entries are purged. The backup is pointed at the rotated file, so no
     * copy under the old keys is left behind. Does nothing when the store has no file yet.
     *
     * @throws dev.keyring4j.LockedException when the store cannot be unlocked
     * @throws StoreCorruptedException when the file is damaged (nothing is written)
     */
    @SuppressWarnings("try") // the lock is held for the whole block, not referenced in it
    public synchronized void rotate() {
        try (LockFile lock = lock()) {
            Loaded base = read();
            if (base == null) return;
            Keys newKeys = base.keys.rotated();
            long now = clock.millis();
            TreeMap<String, Entry> entries = new TreeMap<>();
            for (Entry e : base.entries.values()) {
                if (e.expiredAt(now)) continue;
                Entry r;
                try {
                    r = e.resealed(base.keys, newKeys, base.header.fileId());
                } catch (GeneralSecurityException ex) {
                    throw corrupted("an entry no longer decrypts");
                }
                entries.put(r.id, r);
            }
            byte[] keyset = kek.seal(newKeys, base.headerBytes);
            commit(new Loaded(base.header, base.headerBytes, keyset, newKeys, entries), PrivateFiles.Backup.SAME);
            LOG.log(System.Logger.Level.DEBUG, "rotated the keys of encrypted file store {0} ({1} entries re-encrypted)", path, entries.size());
        } catch (IOException e) {
            throw writeFailed(e);
        }
    }

    /**
     * Changes the passphrase of a passphrase-protected store: a new salt and Argon2id key re-wrap
     * the keyset; entries are not re-encrypted. The store is first unlocked with the current
     * passphrase (from the {@link PassphraseProvider} or {@code KEYRING4J_PASSPHRASE}). The backup is
     * pointed at the new file, so the old passphrase opens nothing that is left. The caller
     * wipes {@code newPassphrase}.
     *
     * @throws IllegalStateException when the store is not protected by a passphrase, or has no file yet
     * @throws dev.keyring4j.LockedException when the current passphrase is wrong or missing
     */
    @SuppressWarnings("try") // the lock is held for the whole block, not referenced in it
    public synchronized void changePassphrase(char[] newPassphrase) {
        Objects.requireNonNull(newPassphrase, "newPassphrase");
        try (LockFile lock = lock()) {
            Loaded base = read();
            if (base == null) {
                throw new IllegalStateException("encrypted file store " + path + " has no file yet; it is created, with a passphrase, by the first set");
            }
            if (base.header.kind() != ProtectionKind.PASSPHRASE) {
                throw new IllegalStateException("encrypted file store " + path + " is protected by " + base.header.kind().id() + ", not by a passphrase");
            }
            KeysetProtection.Created c = new PassphraseProtection(settings).withPassphrase(base.header.fileId(), newPassphrase);
            Kek newKek;
            try {
                newKek = Kek.derive(c.master(), base.header.fileId());
            } finally {
                Keys.wipe(c.master());
            }
            Header h = c.header().withCheck(newKek.check());
            byte[] hb = StoreFile.headerBytes(h);
            commit(new Loaded(h, hb, newKek.seal(base.keys, hb), base.keys, base.entries), PrivateFiles.Backup.SAME);
            kek = newKek;
            kekHeader = hb;
        } catch (IOException e) {
            throw writeFailed(e);
        }
    }

    @Override
    public synchronized void close() {
        closed = true;
        current = null;
        kek = null;
        kekHeader = null;
        loaded = false;
    }

    @Override
    public String toString() {
        return "EncryptedFileStore[" + path + "]";
    }

    // ------------------------------------------------------------------ file state

    private LockFile lock() throws IOException {
        if (closed) throw new IllegalStateException("encrypted file store " + path + " is closed");
        PrivateFiles.ensurePrivateDirectory(dir, "encrypted file store directory");
        LockFile l = LockFile.acquire(lockPath);
        if (!tempsCleaned) {
            PrivateFiles.removeStaleTemps(dir, path.getFileName().toString());
            tempsCleaned = true;
        }
        return l;
    }

    /** The verified content of the file, re-read when it changed; null when there is no file. */
    private Loaded read() {
        if (closed) throw new IllegalStateException("encrypted file store " + path + " is closed");
        for (int attempt = 0; ; attempt++) {
            Stamp now = stampOf(path);
            if (loaded && Objects.equals(now, stamp)) return current;
            if (now == null) {
                current = null;
                stamp = null;
                loaded = true;
                return null;
            }
            PrivateFiles.requirePrivate(path, "encrypted file store", false);
            byte[] raw;
            try {
                raw = Files.readAllBytes(path);
            } catch (NoSuchFileException e) {
                if (attempt < 3) continue; // replaced or removed between stat and open
                throw new KeyringException("encrypted file store " + path + " keeps disappearing while being read", e);
            } catch (IOException e) {
                throw new KeyringException("cannot read encrypted file store " + path + ": " + e.getMessage(), e);
            }
            // the stamp is taken before reading: if the file changed in between, the next call reads it again
            current = load(raw);
            stamp = now;
            loaded = true;
            return current;
        }
    }

    private Loaded load(byte[] raw) {
        StoreFile.Parsed p;
        try {
            p = StoreFile.parse(raw);
        } catch (StoreFile.Damage d) {
            throw corrupted(d.getMessage());
        }
        Header h = p.header();
        if (settings.configuredProtection().isPresent() && settings.configuredProtection().get() != h.kind()) {
            throw new KeyringException("encrypted file store " + path + " is protected by " + h.kind().id()
                    + ", but encrypted-file.protection (from " + settings.protectionSource() + ") says "
                    + settings.configuredProtection().get().id() + "; remove the setting or point encrypted-file.path elsewhere");
        }
        Kek k = kek;
        if (k == null || !Arrays.equals(kekHeader, p.headerBytes())) {
            KeysetProtection protection = KeysetProtection.of(h.kind(), settings);
            byte[] master = protection.unlock(h, path);
            try {
                k = Kek.derive(master, h.fileId());
            } finally {
                Keys.wipe(master);
            }
            if (!k.matches(h.check())) {
                throw protection.wrongKey(path).orElseGet(() -> corrupted("the unsealed key does not match its check value"));
            }
        }
        Keys keys;
        Loaded prev = current;
        boolean sameKeys = prev != null && Arrays.equals(prev.headerBytes, p.headerBytes()) && Arrays.equals(prev.keyset, p.keyset());
        if (sameKeys) {
            keys = prev.keys;
        } else {
            try {
                keys = k.open(p.keyset(), p.headerBytes());
            } catch (GeneralSecurityException e) {
                throw corrupted("its keyset does not decrypt although the key is right (its check value matches)");
            }
        }
        try {
            keys.verifyFileMac(p.mac(), p.body());
        } catch (GeneralSecurityException e) {
            throw corrupted("its MAC does not verify: the content was modified");
        }
        TreeMap<String, Entry> entries = new TreeMap<>();
        String last = null;
        for (StoreFile.RawEntry r : p.entries()) {
            if (last != null && last.compareTo(r.id()) >= 0) throw corrupted("its entries are out of order or repeated");
            last = r.id();
            Entry old = sameKeys ? prev.entries.get(r.id()) : null;
            Entry e;
            if (old != null && old.ciphertextText.equals(r.ciphertextText())) {
                e = old; // same keys, same bytes: already verified
            } else {
                try {
                    e = Entry.open(keys, h.fileId(), r.id(), r.ciphertext(), r.ciphertextText());
                } catch (GeneralSecurityException ex) {
                    throw corrupted("an entry does not decrypt or does not belong to its id and file");
                }
            }
            entries.put(e.id, e);
        }
        kek = k;
        kekHeader = p.headerBytes();
        return new Loaded(h, p.headerBytes(), p.keyset(), keys, entries);
    }

    /** A new, empty store's keys and header (written by the caller). */
    private Loaded create() {
        ProtectionKind kind = settings.configuredProtection().orElse(defaultProtection);
        byte[] fileId = Random.randBytes(Header.FILE_ID_BYTES);
        KeysetProtection.Created c;
        try {
            c = KeysetProtection.of(kind, settings).create(fileId);
        } catch (BackendUnavailableException e) {
            if (kind != ProtectionKind.SYSTEMD_CREDS || settings.configuredProtection().isPresent()) throw e;
            // the default only: systemd-creds "where it works for this user", else the key file
            LOG.log(System.Logger.Level.WARNING, "systemd-creds does not work here ({0}); protecting {1} with the key file {2}",
                    e.getMessage(), path, settings.keyfile());
            c = KeysetProtection.of(ProtectionKind.KEYFILE, settings).create(fileId);
        }
        Kek k;
        try {
            k = Kek.derive(c.master(), fileId);
        } finally {
            Keys.wipe(c.master());
        }
        Header h = c.header().withCheck(k.check());
        byte[] hb = StoreFile.headerBytes(h);
        Keys keys = Keys.generate();
        byte[] keyset = k.seal(keys, hb);
        kek = k;
        kekHeader = hb;
        return new Loaded(h, hb, keyset, keys, new TreeMap<>());
    }

    private void commit(Loaded next, PrivateFiles.Backup backup) throws IOException {
        byte[] bytes = StoreFile.write(next.headerBytes, next.keyset, next.entries.values(), next.keys);
        PrivateFiles.replace(path, bytes, backupPath, backup);
        stamp = stampOf(path);
        current = next;
        loaded = true;
    }

    private static Stamp stampOf(Path p) {
        try {
            Map<String, Object> a = Files.readAttributes(p, "unix:dev,ino,size,lastModifiedTime,ctime");
            return new Stamp(a.get("dev"), a.get("ino"), a.get("size"), a.get("lastModifiedTime"), a.get("ctime"));
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            throw new KeyringException("cannot read the attributes of encrypted file store " + p + ": " + e.getMessage(), e);
        }
    }

    // ------------------------------------------------------------------ helpers

    private static String idOf(Keys keys, CredentialId name) {
        return Entry.idText(keys.entryId(name.service().getBytes(StandardCharsets.UTF_8), name.account().getBytes(StandardCharsets.UTF_8)));
    }

    /** Non-empty names that UTF-8 can hold faithfully (no unpaired surrogates). */
    private static CredentialId checkedName(String service, String account) {
        CredentialId id = new CredentialId(service, account);
        faithful("service", service);
        faithful("account", account);
        return id;
    }

    private static void faithful(String what, String s) {
        if (!StandardCharsets.UTF_8.newEncoder().canEncode(CharBuffer.wrap(s))) {
            throw new IllegalArgumentException(what + " contains an unpaired surrogate, which UTF-8 cannot hold");
        }
    }

    private StoreCorruptedException corrupted(String what) {
        String backup = Files.exists(backupPath)
                ? "the state before the latest write is kept in " + backupPath + " (after saving the damaged file for inspection, restore it: cp -p '"
                        + backupPath + "' '" + path + "')"
                : "there is no backup (" + backupPath + ")";
        return new StoreCorruptedException("encrypted file store " + path + " is damaged or was tampered with: " + what
                + ". Nothing was read from it and nothing will be written over it; " + backup);
    }

    private KeyringException writeFailed(IOException e) {
        return new KeyringException("cannot write encrypted file store " + path + ": " + e.getMessage()
                + " (the previous content is intact)", e);
    }
}
