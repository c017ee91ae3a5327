package dev.keyring4j.encryptedfile;

import dev.keyring4j.keyset.ProtectionKind;
import dev.keyring4j.keyset.Keys;
import dev.keyring4j.keyset.KeysetProtection;
import dev.keyring4j.keyset.PassphraseProtection;
import dev.keyring4j.keyset.Header;
import dev.keyring4j.keyset.PrivateFiles;

import com.google.crypto.tink.subtle.Random;
import dev.keyring4j.Capabilities;
import dev.keyring4j.CredentialEvent;
import dev.keyring4j.Subscription;
import dev.keyring4j.internal.CredentialWatcher;
import dev.keyring4j.internal.DirectoryWatch;
import java.util.function.Consumer;
import dev.keyring4j.CredentialId;
import dev.keyring4j.CredentialStore;
import dev.keyring4j.Secret;
import dev.keyring4j.StoreCorruptedException;
import dev.keyring4j.support.Names;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The {@code encrypted-file} store: credentials in one Tink-encrypted file (format
 * {@code keyring4j-file/4}; {@code /1}, {@code /2} and {@code /3} files are read and upgraded by their next
 * write) and its journal {@code <file>.journal} of the writes since the file was last rewritten
 * (see {@code docs/backends/encrypted-file.md}).
 *
 * <p>Guarantees, beyond those of {@link CredentialStore}:
 * <ul>
 * <li>every write is atomic and durable under an exclusive cross-process lock: a set or delete
 *     appends one authenticated record to the journal and fdatasyncs it; every few hundred records,
 *     and for every key change, the journal is folded into a new file (temp file, fsync, rename,
 *     fsync of the directory, then a new empty journal the same way). When a write returns, it
 *     survives a crash (SIGKILL or power loss), and readers never see a half-written state: a
 *     record cut short by a killed writer was never acknowledged and is ignored;</li>
 * <li>a store held open sees what other processes wrote (it re-reads the file or the journal when
 *     it changed);</li>
 * <li>any changed, missing or added byte of the file, and any changed or missing byte of the
 *     journal, is a {@link StoreCorruptedException} naming the file (and the journal) and the
 *     backup ({@code <file>.bak}, the file before its latest rewrite); nothing is returned from a
 *     damaged store and nothing is written over it. The one thing ignored is an incomplete record
 *     frame at the journal's end (what a killed writer leaves), which changes no answer;</li>
 * <li>an older copy of the file or the journal put back in its place (a restored backup) is a
 *     {@link StoreCorruptedException}: every write counts a generation, covered by the MAC and the
 *     journal's AEAD and remembered outside the file, unless
 *     {@code encrypted-file.accept-rollback = true};</li>
 * <li>a wrong passphrase or another store's key file is a {@link dev.keyring4j.LockedException},
 *     never corruption, when the file is intact;</li>
 * <li>the file is created 0600 in a 0700 directory, and a file or directory that group or others
 *     can read or write is refused ({@link dev.keyring4j.AccessDeniedException} with the
 *     {@code chmod} to run); the store file, its lock and the key file are never opened through a
 *     symbolic link, and a directory above them that another user could write is refused;</li>
 * <li>{@link #rotate}, {@link #rekey} and {@link #changePassphrase} replace the keysets and (except
 *     a passphrase store's rotation) the master secret: a copy of an old key file, old sealed key or
 *     old passphrase opens nothing written after them;</li>
 * <li>names are never in clear, in the file or the journal (entry ids are keyed hashes, journal
 *     records are encrypted);</li>
 * <li>a set costs one AES-GCM encryption of the entry, one of its journal record and one durable
 *     append, O(1) in the number of entries, plus, every 256 writes (every n/8 in a store of n > 2048
 *     entries), one rewrite of the file, O(n), so about n/8 sets share each rewrite;</li>
 * <li>opening a store authenticates every byte of the file (checksum and MAC) and of the journal
 *     (each record's AEAD) but decrypts no entry: an entry is decrypted, and checked against its
 *     id and file, when it is first used (its {@code get}, {@code list}, a compaction or a key
 *     change), and one that fails is a {@link StoreCorruptedException} then; only a holder of the
 *     keys can write such an entry, since any other change fails the MAC at open.</li>
 * <li>{@link #watch} sees the writes of every process: an inotify watch ({@link java.nio.file.WatchService})
 *     on the store's directory reacts to the store file being replaced (writers rename) and to the
 *     journal growing, waits 50 ms for the writer to finish, and re-reads only the watched
 *     credentials, so only those whose value changed fire (a key rotation or a compaction fires
 *     nothing). An expiry is reported at the next change of the file, not at the second it expires.</li>
 * </ul>
 * Nothing is read or unlocked until the first operation; the file is created by the first write.
 * Thread-safe.
 */
public final class EncryptedFileStore implements CredentialStore {
    private static final System.Logger LOG = System.getLogger(EncryptedFileStore.class.getName());
    private static final String NAME_RULE = "the encrypted file keeps names as UTF-8 text";

    private final StoreSettings settings;
    private final Path path;
    private final Clock clock;
    // guarded by this
    private final VerifiedFile file;
    private final KeyMaterial keys;
    // reads the watched credentials again when the file or the journal changes (any process's write)
    private final CredentialWatcher watcher = new CredentialWatcher(EncryptedFileProvider.ID, CredentialWatcher.secretsOf(this), this::watchDirectory);

    /** An edit of the entries of {@code base}, recorded in {@code edits}; returns the write's result. */
    @FunctionalInterface
    private interface EntryEdit<R> {
        R apply(Snapshot base, Edits edits, long now);
    }

    /** The changes of one write over a state's entries: id to new entry, null for a delete. Expired entries count as absent. */
    private static final class Edits {
        private final Map<String, Entry> base;
        private final long now;
        final Map<String, Entry> changes = new java.util.LinkedHashMap<>();

        Edits(Map<String, Entry> base, long now) {
            this.base = base;
            this.now = now;
        }

        void put(Entry e) {
            changes.put(e.id, e);
        }

        /** Deletes the entry {@code id}; whether a live one was there. */
        boolean remove(String id) {
            Entry e = changes.containsKey(id) ? changes.get(id) : base.get(id);
            if (e == null) return false;
            changes.put(id, null);
            return !e.expiredAt(now);
        }
    }

    EncryptedFileStore(StoreSettings settings, ProtectionKind defaultProtection) {
        this.settings = settings;
        this.path = settings.path();
        this.clock = settings.clock();
        this.file = new VerifiedFile(settings);
        this.keys = new KeyMaterial(settings, defaultProtection, file);
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
        return EncryptedFileProvider.CAPABILITIES;
    }

    // ------------------------------------------------------------------ reads

    @Override
    public synchronized Optional<Secret> get(String service, String account) {
        CredentialId name = checkedName(service, account);
        Snapshot l = file.read();
        if (l == null) return Optional.empty();
        Entry e = l.entries().get(idOf(l.keys(), name));
        if (e == null) return Optional.empty();
        byte[] s;
        try {
            s = e.secret(); // the first read of an entry decrypts and checks it (entries are opened lazily)
        } catch (Entry.Undecryptable ex) {
            throw file.corrupted(ex.getMessage());
        }
        try {
            return e.expiredAt(clock.millis()) ? Optional.empty() : Optional.of(Secret.of(s));
        } finally {
            Keys.wipe(s);
        }
    }

    @Override
    public synchronized List<CredentialId> list(String service) {
        CredentialId.requireService(service);
        List<CredentialId> out = new ArrayList<>();
        for (CredentialId id : list()) {
            if (id.service().equals(service)) out.add(id);
        }
        return out;
    }

    @Override
    public synchronized List<CredentialId> list() {
        Snapshot l = file.read();
        if (l == null) return List.of();
        long now = clock.millis();
        List<CredentialId> out = new ArrayList<>(l.entries().size());
        try {
            for (Entry e : l.entries().values()) {
                if (!e.expiredAt(now)) out.add(e.name()); // decrypts the entries not yet opened
            }
        } catch (Entry.Undecryptable ex) {
            throw file.corrupted(ex.getMessage());
        }
        return out;
    }

    // ------------------------------------------------------------------ writes

    @Override
    public void set(String service, String account, Secret secret) {
        put(checkedName(service, account), Objects.requireNonNull(secret, "secret"), 0);
    }

    /** Stores the secret with {@code expires = now + ttl}; once expired it reads as absent and the next rewrite of the file purges it. */
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

    private synchronized void put(CredentialId name, Secret secret, long expires) {
        byte[] value = secret.asBytes();
        try {
            file.mutate(editEntries(false, (base, edits, now) -> {
                edits.put(Entry.seal(base.keys(), base.header().fileId(), name, value, now, expires));
                return null;
            }));
        } finally {
            Keys.wipe(value);
        }
    }

    /**
     * Stores every credential in one write: one rewrite of the file for more than one (an import
     * or a migration costs O(n) once), one journal record for one. All names are checked before
     * anything is written.
     */
    public synchronized void setAll(Map<CredentialId, Secret> credentials) {
        List<CredentialId> names = new ArrayList<>(credentials.size());
        for (CredentialId id : credentials.keySet()) names.add(checkedName(id.service(), id.account()));
        file.mutate(editEntries(credentials.size() > 1, (base, edits, now) -> {
            for (CredentialId name : names) {
                byte[] value = Objects.requireNonNull(credentials.get(name), "secret").asBytes();
                try {
                    edits.put(Entry.seal(base.keys(), base.header().fileId(), name, value, now, 0));
                } finally {
                    Keys.wipe(value);
                }
            }
            return null;
        }));
    }

    @Override
    public synchronized boolean delete(String service, String account) {
        CredentialId name = checkedName(service, account);
        return file.mutate(current -> {
            if (current == null || current.entries().get(idOf(current.keys(), name)) == null) {
                return VerifiedFile.Change.unchanged(false); // nothing to write
            }
            // the id is taken again: an upgrade to a key file of its own changes the keys
            return editEntries(false, (base, edits, now) -> edits.remove(idOf(base.keys(), name))).apply(current);
        });
    }

    /**
     * Folds the journal into a new store file now (atomically, durably; the backup keeps the file
     * before), purging expired entries. Writes do this by themselves every few hundred records;
     * this is for a caller who wants the whole state in the store file, e.g. before copying it.
     * Does nothing when the store has no file yet.
     *
     * @throws dev.keyring4j.LockedException when the store cannot be unlocked
     * @throws StoreCorruptedException when the store is damaged (nothing is written)
     */
    public synchronized void compact() {
        file.mutate(current -> current == null ? VerifiedFile.Change.unchanged(null) : editEntries(true, (base, edits, now) -> null).apply(current));
    }

    /**
     * The write of an entry edit: the file is created when there is none, brought to the current
     * format (a version 1 key file store first moved to a key file of its own, written at once with
     * the backup pointed at it). The edit is appended to the journal, or, when {@code rewrite} (many
     * entries at once, a compaction) or the journal is due, folded into a new store file, with
     * expired entries purged and the backup keeping the file before.
     */
    private <R> VerifiedFile.Mutation<R> editEntries(boolean rewrite, EntryEdit<R> edit) {
        return current -> {
            if (current != null && keys.needsOwnKeyfile(current)) {
                return VerifiedFile.Change.first(keys.ownKeyfile(current), editEntries(rewrite, edit));
            }
            Snapshot base = current == null ? keys.create() : keys.inCurrentFormat(current);
            long now = clock.millis();
            Edits edits = new Edits(base.entries(), now);
            R result = edit.apply(base, edits, now);
            if (edits.changes.isEmpty() && !rewrite && base == current) return VerifiedFile.Change.unchanged(result);
            return VerifiedFile.Change.write(
                    new VerifiedFile.Next(base, edits.changes, rewrite, PrivateFiles.Backup.PREVIOUS, VerifiedFile.AfterCommit.NOTHING), result);
        };
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

    private void replaceKeys(boolean newFileId) {
        file.mutate(base -> {
            if (base == null) return VerifiedFile.Change.unchanged(null);
            byte[] fileId = newFileId ? Random.randBytes(Header.FILE_ID_BYTES) : base.header().fileId();
            KeysetProtection p = KeysetProtection.of(base.header().kind(), settings);
            return VerifiedFile.Change.write(keys.replaced(base, fileId, p, p.renew(base.header(), fileId)), null);
        });
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
    public synchronized void changePassphrase(char[] newPassphrase) {
        Objects.requireNonNull(newPassphrase, "newPassphrase");
        file.mutate(base -> {
            if (base == null) {
                throw new IllegalStateException("encrypted file store " + path + " has no file yet; it is created, with a passphrase, by the first set");
            }
            if (base.header().kind() != ProtectionKind.PASSPHRASE) {
                throw new IllegalStateException("encrypted file store " + path + " is protected by " + base.header().kind().id() + ", not by a passphrase");
            }
            PassphraseProtection p = new PassphraseProtection(settings);
            byte[] fileId = base.header().fileId();
            return VerifiedFile.Change.write(keys.replaced(base, fileId, p, Optional.of(p.withPassphrase(fileId, newPassphrase))), null);
        });
    }

    @Override
    public Subscription watch(String service, String account, Consumer<CredentialEvent> listener) {
        checkedName(service, account);
        return watcher.watch(service, account, listener);
    }

    /** The directory watch that runs while there is a subscription: the store file (replaced by rename) and its journal. */
    private AutoCloseable watchDirectory(CredentialWatcher w) throws java.io.IOException {
        Path dir = path.getParent();
        PrivateFiles.ensurePrivateDirectory(dir, "encrypted file store directory"); // as the first write would
        String file = path.getFileName().toString();
        String journal = file + ".journal";
        return DirectoryWatch.watch(dir, name -> name.toString().equals(file) || name.toString().equals(journal), w::changed);
    }

    @Override
    public void close() {
        watcher.close();
        closeFile();
    }

    private synchronized void closeFile() {
        file.close();
    }

    @Override
    public String toString() {
        return "EncryptedFileStore[" + path + "]";
    }

    // ------------------------------------------------------------------ helpers

    private static String idOf(Keys keys, CredentialId name) {
        return Entry.idText(keys.entryId(name.service().getBytes(StandardCharsets.UTF_8), name.account().getBytes(StandardCharsets.UTF_8)));
    }

    /** Non-empty names that the UTF-8 payload holds faithfully (no NUL, no unpaired surrogate). */
    private static CredentialId checkedName(String service, String account) {
        CredentialId.requireNames(service, account);
        Names.requireUnicode("service", service, Integer.MAX_VALUE, NAME_RULE);
        Names.requireUnicode("account", account, Integer.MAX_VALUE, NAME_RULE);
        return new CredentialId(service, account);
    }
}
