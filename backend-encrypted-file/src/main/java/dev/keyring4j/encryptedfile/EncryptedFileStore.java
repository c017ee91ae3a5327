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
 * {@code keyring4j-file/2}; {@code /1} files are read and upgraded by their next write; see
 * {@code docs/backends/encrypted-file.md}).
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
 * <li>an older copy of the file put back in its place (a restored backup) is a
 *     {@link StoreCorruptedException}: every write counts a generation, covered by the MAC and
 *     remembered outside the file, unless {@code encrypted-file.accept-rollback = true};</li>
 * <li>a wrong passphrase or another store's key file is a {@link dev.keyring4j.LockedException},
 *     never corruption, when the file is intact;</li>
 * <li>the file is created 0600 in a 0700 directory, and a file or directory that group or others
 *     can read or write is refused ({@link dev.keyring4j.AccessDeniedException} with the
 *     {@code chmod} to run); the store file, its lock and the key file are never opened through a
 *     symbolic link, and a directory above them that another user could write is refused;</li>
 * <li>{@link #rotate}, {@link #rekey} and {@link #changePassphrase} replace the keysets and (except
 *     a passphrase store's rotation) the master secret: a copy of an old key file, old sealed key or
 *     old passphrase opens nothing written after them;</li>
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
    private final GenerationRecord record;

    // guarded by this
    private boolean closed;
    private boolean loaded;
    private Stamp stamp;
    private Loaded current;
    private Kek kek;
    private byte[] kekHeader;
    private boolean tempsCleaned;

    /** What the file held when last read or written, verified; {@code generation} 0 for a store not yet written. */
    private record Loaded(Header header, byte[] headerBytes, long generation, byte[] keyset, Keys keys, TreeMap<String, Entry> entries) {
        Loaded withEntries(TreeMap<String, Entry> e) {
            return new Loaded(header, headerBytes, generation, keyset, keys, e);
        }
    }

    /** The file is older than, or another store than, the one last written at this path. */
    private static final class RolledBack extends Exception {
        RolledBack(String message) {
            super(message, null, false, false);
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
        this.record = new GenerationRecord(settings.generationRecord());
        // refuse an exposed directory or file now rather than at the first use
        PrivateFiles.requirePrivateDirectory(dir, "encrypted file store directory", true);
        PrivateFiles.requirePrivateFile(path, "encrypted file store");
        PrivateFiles.requireSafeChain(dir, settings.home(), "encrypted file store directory");
        PrivateFiles.requireSafeChain(record.file().getParent(), settings.home(), "generation record directory");
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
            base = base == null ? create() : writable(base);
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
            base = base == null ? create() : writable(base);
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
            Entry old = base.entries.get(idOf(base.keys, name));
            if (old == null) return false; // nothing to write
            base = writable(base);
            String id = idOf(base.keys, name);
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
     * Rotates the keys: new AES256-GCM, PRF and MAC keysets (every entry re-encrypted; entry ids
     * change with the PRF key) and a new master secret: a new key file ({@code keyfile}), a new
     * sealed secret ({@code systemd-creds}); a {@code passphrase} store keeps its passphrase (that
     * is its master secret: {@link #changePassphrase} changes it). A copy of the old key file or
     * old sealed key opens nothing written after this. Expired entries are purged. The backup is
     * pointed at the rotated file, so no copy under the old keys is left behind. Does nothing when
     * the store has no file yet.
     *
     * @throws dev.keyring4j.LockedException when the store cannot be unlocked
     * @throws StoreCorruptedException when the file is damaged (nothing is written)
     */
    public synchronized void rotate() {
        replaceKeys(false);
        LOG.log(System.Logger.Level.DEBUG, "rotated the keys of encrypted file store {0}", path);
    }

    /**
     * Does what {@link #rotate} does and also gives the store a new file id and a new master
     * secret for every protection: entries are bound to the new id, a {@code systemd-creds} key is
     * sealed under the new credential name, a per-store key file is replaced by one of the new id
     * (the old one is removed), and a {@code passphrase} store gets a new salt (the current
     * passphrase is asked for again and checked). Old copies of the file count as another store
     * and are refused like a rollback.
     *
     * @throws dev.keyring4j.LockedException when the store cannot be unlocked or the passphrase is wrong
     * @throws StoreCorruptedException when the file is damaged (nothing is written)
     */
    public synchronized void rekey() {
        replaceKeys(true);
        LOG.log(System.Logger.Level.DEBUG, "rekeyed encrypted file store {0} (new file id, master secret and keysets)", path);
    }

    @SuppressWarnings("try") // the lock is held for the whole block, not referenced in it
    private void replaceKeys(boolean newFileId) {
        try (LockFile lock = lock()) {
            Loaded base = read();
            if (base == null) return;
            byte[] fileId = newFileId ? Random.randBytes(Header.FILE_ID_BYTES) : base.header.fileId();
            KeysetProtection p = KeysetProtection.of(base.header.kind(), settings);
            replaceKeys(base, fileId, p, p.renew(base.header, fileId));
        } catch (IOException e) {
            throw writeFailed(e);
        }
    }

    /**
     * Changes the passphrase of a passphrase-protected store: a new salt and Argon2id key, and new
     * keysets with every entry re-encrypted, so a copy of the file from before the change, opened
     * with the old passphrase, decrypts nothing written after it. The store is first unlocked with
     * the current passphrase (from the {@link PassphraseProvider} or {@code KEYRING4J_PASSPHRASE}).
     * The backup is pointed at the new file, so the old passphrase opens nothing that is left. The
     * caller wipes {@code newPassphrase}.
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
            PassphraseProtection p = new PassphraseProtection(settings);
            replaceKeys(base, base.header.fileId(), p, Optional.of(p.withPassphrase(base.header.fileId(), newPassphrase)));
        } catch (IOException e) {
            throw writeFailed(e);
        }
    }

    /**
     * Writes {@code base} under new keysets and, when {@code renewed} is present, a new master
     * secret and header for {@code fileId}; the backup is pointed at the result. Holding the lock.
     */
    private void replaceKeys(Loaded base, byte[] fileId, KeysetProtection protection, Optional<KeysetProtection.Created> renewed) throws IOException {
        Kek newKek;
        Header h;
        if (renewed.isPresent()) {
            try {
                newKek = Kek.derive(renewed.get().master(), fileId);
            } finally {
                Keys.wipe(renewed.get().master());
            }
            h = renewed.get().header().withCheck(newKek.check());
        } else {
            newKek = kek;
            h = base.header.current();
        }
        byte[] hb = StoreFile.headerBytes(h);
        Keys newKeys = Keys.generate();
        long now = clock.millis();
        TreeMap<String, Entry> entries = new TreeMap<>();
        for (Entry e : base.entries.values()) {
            if (e.expiredAt(now)) continue;
            Entry r;
            try {
                r = e.resealed(base.keys, base.header.fileId(), newKeys, fileId);
            } catch (GeneralSecurityException ex) {
                throw corrupted("an entry no longer decrypts");
            }
            entries.put(r.id, r);
        }
        commit(new Loaded(h, hb, base.generation, newKek.seal(newKeys, hb), newKeys, entries), newKek, PrivateFiles.Backup.SAME);
        protection.committed(base.header, h);
    }

    /**
     * {@code base} ready to be written in the current format. A {@code keyring4j-file/1} store is
     * upgraded: its keyset re-sealed under the new header; a key file store whose key file is the
     * name-derived one of version 1 (shared by stores of the same file name) is first rotated onto
     * a key file of its own (written at once, the backup pointed at it).
     */
    private Loaded writable(Loaded base) throws IOException {
        if (base.header.version() == StoreFile.VERSION) return base;
        if (base.header.kind() == ProtectionKind.KEYFILE && settings.configuredKeyfile().isEmpty()) {
            KeysetProtection p = KeysetProtection.of(ProtectionKind.KEYFILE, settings);
            replaceKeys(base, base.header.fileId(), p, p.renew(base.header, base.header.fileId()));
            LOG.log(System.Logger.Level.INFO, "encrypted file store {0} was upgraded to {1} and moved to its own key file",
                    path, StoreFile.FORMAT);
            return current;
        }
        Header h = base.header.current();
        byte[] hb = StoreFile.headerBytes(h);
        return new Loaded(h, hb, base.generation, kek.seal(base.keys, hb), base.keys, base.entries);
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
        PrivateFiles.requireSafeChain(dir, settings.home(), "encrypted file store directory");
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
        int changedWhileReading = 0;
        for (int attempt = 0; ; attempt++) {
            Stamp now = stampOf(path);
            if (loaded && Objects.equals(now, stamp)) return current;
            if (now == null) {
                current = null;
                stamp = null;
                loaded = true;
                return null;
            }
            PrivateFiles.requireSafeChain(dir, settings.home(), "encrypted file store directory");
            byte[] raw;
            try {
                raw = PrivateFiles.readPrivateFile(path, "encrypted file store");
            } catch (IOException e) {
                throw new KeyringException("cannot read encrypted file store " + path + ": " + e.getMessage(), e);
            }
            if (raw == null) {
                if (attempt < 3) continue; // replaced or removed between stat and open
                throw new KeyringException("encrypted file store " + path + " keeps disappearing while being read");
            }
            // the stamp is taken before reading: if the file changed in between, the next call reads it again
            try {
                current = load(raw);
            } catch (RolledBack r) {
                // a writer may have replaced the file and recorded its generation after we read it: look again
                if (changedWhileReading++ < 100 && !Objects.equals(stampOf(path), now)) continue;
                throw corrupted(r.getMessage());
            }
            stamp = now;
            loaded = true;
            return current;
        }
    }

    private Loaded load(byte[] raw) throws RolledBack {
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
                throw protection.wrongKey(h, path).orElseGet(() -> corrupted("the unsealed key does not match its check value"));
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
        checkGeneration(h.fileId(), p.generation());
        return new Loaded(h, p.headerBytes(), p.generation(), p.keyset(), keys, entries);
    }

    /**
     * Refuses a verified file that is older than the generation remembered for this path, or
     * another store than the one last written here, unless {@code encrypted-file.accept-rollback}
     * is set: then it is accepted, with a warning, and remembered as the current state.
     */
    @SuppressWarnings("try") // the lock is held for the whole block, not referenced in it
    private void checkGeneration(byte[] fileId, long generation) throws RolledBack {
        GenerationRecord.Remembered r = record.read();
        if (!GenerationRecord.isRollback(r, fileId, generation)) return;
        String what = Arrays.equals(r.fileId(), fileId)
                ? "it is an older copy: generation " + generation + ", but generation " + r.generation() + " was written here"
                : "it is another store (file id " + StoreFile.hex(fileId) + ") than the one last written here (file id "
                        + StoreFile.hex(r.fileId()) + "), e.g. a copy from before a rekey";
        what += " (remembered in " + record.file() + "). Putting an old copy back would bring back deleted or replaced secrets";
        if (!settings.acceptRollback()) {
            throw new RolledBack(what + ". If you put it there on purpose, open the store once with encrypted-file.accept-rollback = true"
                    + " (then remove the setting)");
        }
        LOG.log(System.Logger.Level.WARNING, "encrypted file store {0}: {1}; accepted because encrypted-file.accept-rollback is set"
                + " (remove the setting again)", path, what);
        if (LockFile.heldByCurrentThread(lockPath)) {
            record.remember(fileId, generation);
        } else {
            try (LockFile l = lock()) {
                record.remember(fileId, generation);
            } catch (IOException e) {
                throw writeFailed(e);
            }
        }
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
                    e.getMessage(), path, settings.keyfileDescription());
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
        return new Loaded(h, hb, 0, keyset, keys, new TreeMap<>());
    }

    /** Writes {@code next} as the following generation, sealed under {@code k}, and remembers that generation. Holding the lock. */
    private void commit(Loaded next, Kek k, PrivateFiles.Backup backup) throws IOException {
        long generation = next.generation + 1;
        byte[] bytes = StoreFile.write(next.headerBytes, generation, next.keyset, next.entries.values(), next.keys);
        PrivateFiles.replace(path, bytes, backupPath, backup);
        stamp = stampOf(path);
        current = new Loaded(next.header, next.headerBytes, generation, next.keyset, next.keys, next.entries);
        loaded = true;
        kek = k;
        kekHeader = next.headerBytes;
        // after the file is in place: a crash in between leaves the record behind, never ahead
        record.remember(next.header.fileId(), generation);
    }

    private void commit(Loaded next, PrivateFiles.Backup backup) throws IOException {
        commit(next, kek, backup);
    }

    private static Stamp stampOf(Path p) {
        try {
            Map<String, Object> a = Files.readAttributes(p, "unix:dev,ino,size,lastModifiedTime,ctime", java.nio.file.LinkOption.NOFOLLOW_LINKS);
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
                        + backupPath + "' '" + path + "', and open the store once with encrypted-file.accept-rollback = true, since it is"
                        + " one generation older)"
                : "there is no backup (" + backupPath + ")";
        return new StoreCorruptedException("encrypted file store " + path + " is damaged or was tampered with: " + what
                + ". Nothing was read from it and nothing will be written over it; " + backup);
    }

    private KeyringException writeFailed(IOException e) {
        return new KeyringException("cannot write encrypted file store " + path + ": " + e.getMessage()
                + " (the previous content is intact)", e);
    }
}
