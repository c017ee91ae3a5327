package dev.keyring4j.encryptedfile;

import dev.keyring4j.KeyringException;
import dev.keyring4j.QuotaExceededException;
import dev.keyring4j.internal.BoundedInput;
import dev.keyring4j.StoreCorruptedException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The one read path and the one write path of a store file.
 *
 * <ul>
 * <li>{@link #read} returns only a state whose checksum, keyset, MAC, entries and generation
 *     verified; it re-reads the file only when it changed (a new inode, size or time), retrying
 *     when a writer replaces it while it is being read;</li>
 * <li>{@link #mutate} holds the exclusive cross-process lock from the read through the commit, so
 *     every write builds on the latest state; a commit replaces the file atomically and durably
 *     and only then remembers its generation (a crash leaves the record behind, never ahead);</li>
 * <li>nothing is ever opened through a symbolic link, and the directory chain is checked before
 *     each read and each lock.</li>
 * </ul>
 * Not thread-safe: the store serialises calls.
 */
final class VerifiedFile {
    private final StoreSettings settings;
    private final Path path;
    private final Path dir;
    private final Path lockPath;
    private final Path backupPath;
    private final RollbackGuard rollback;

    private boolean closed;
    private boolean loaded;
    private Stamp stamp;
    private Snapshot current;
    // the KEK of the header last unlocked, kept even when that file was then refused (a retry needs no new unlock)
    private Kek kek;
    private byte[] kekHeader;
    private boolean tempsCleaned;

    /** Identifies one version of the file: every write is a new inode (rename), and size and times change too. */
    private record Stamp(Object dev, Object ino, Object size, Object mtime, Object ctime) {
    }

    /** A write, decided under the lock from the verified current state. */
    @FunctionalInterface
    interface Mutation<R> {
        /** @param current the verified state of the file, null when there is none yet */
        Change<R> apply(Snapshot current) throws IOException;
    }

    /** Something to do once a state is in place (holding the lock): make staged key material final. */
    @FunctionalInterface
    interface AfterCommit {
        AfterCommit NOTHING = () -> { };

        void run() throws IOException;
    }

    /** A state to write as the following generation, what becomes of the backup, and what to do once it is in place. */
    record Next(Snapshot state, PrivateFiles.Backup backup, AfterCommit afterCommit) {
    }

    /**
     * A mutation's answer: the state to write ({@code next}, null for nothing), the write's result,
     * and ({@code then}, rarely) a further mutation applied to the state just written, still under
     * the lock.
     */
    record Change<R>(Next next, R result, Mutation<R> then) {
        static <R> Change<R> unchanged(R result) {
            return new Change<>(null, result, null);
        }

        static <R> Change<R> write(Next next, R result) {
            return new Change<>(next, result, null);
        }

        /** Writes {@code first}, then applies {@code then} to what was written. */
        static <R> Change<R> first(Next first, Mutation<R> then) {
            return new Change<>(first, null, then);
        }
    }

    VerifiedFile(StoreSettings settings) {
        this.settings = settings;
        this.path = settings.path();
        this.dir = path.getParent();
        this.lockPath = dir.resolve(path.getFileName() + ".lock");
        this.backupPath = dir.resolve(path.getFileName() + ".bak");
        this.rollback = new RollbackGuard(new GenerationRecord(settings.generationRecord()), settings.acceptRollback(), path);
        // refuse an exposed directory or file now rather than at the first use
        PrivateFiles.requirePrivateDirectory(dir, "encrypted file store directory", true);
        PrivateFiles.requirePrivateFile(path, "encrypted file store");
        PrivateFiles.requireSafeChain(dir, settings.home(), "encrypted file store directory");
        PrivateFiles.requireSafeChain(rollback.record().file().getParent(), settings.home(), "generation record directory");
    }

    void close() {
        closed = true;
        current = null;
        kek = null;
        kekHeader = null;
        loaded = false;
    }

    // ------------------------------------------------------------------ writing

    /**
     * Takes the lock, reads the verified current state, and commits what {@code mutation} answers;
     * returns its result. An {@link IOException} becomes a "cannot write" {@link KeyringException}
     * (the previous content is intact).
     */
    @SuppressWarnings("try") // the lock is held for the whole block, not referenced in it
    <R> R mutate(Mutation<R> mutation) {
        try (LockFile lock = lock()) {
            Snapshot state = read();
            for (Mutation<R> m = mutation; ; ) {
                Change<R> c = m.apply(state);
                if (c.next() != null) state = commit(c.next());
                if (c.then() == null) return c.result();
                m = c.then();
            }
        } catch (IOException e) {
            throw writeFailed(e);
        }
    }

    /** Writes {@code n.state()} as the following generation and remembers that generation. Holding the lock. */
    private Snapshot commit(Next n) throws IOException {
        Snapshot next = n.state();
        long generation = next.generation() + 1;
        byte[] bytes = StoreFile.write(next.headerBytes(), generation, next.keyset(), next.entries().values(), next.keys());
        if (bytes.length > PrivateFiles.MAX_STORE_BYTES) {
            // a file over the read limit could never be opened again: refuse the write, keep the store as it is
            throw new QuotaExceededException("encrypted file store " + path + " would grow to " + bytes.length + " bytes, over its limit of "
                    + BoundedInput.describe(PrivateFiles.MAX_STORE_BYTES) + "; nothing was written. Delete credentials you no longer need,"
                    + " or keep large secrets elsewhere");
        }
        PrivateFiles.replace(path, bytes, backupPath, n.backup());
        stamp = stampOf(path);
        current = next.atGeneration(generation);
        loaded = true;
        kek = next.kek();
        kekHeader = next.headerBytes();
        // after the file is in place: a crash in between leaves the record behind, never ahead
        rollback.remember(next.header().fileId(), generation);
        n.afterCommit().run();
        return current;
    }

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

    // ------------------------------------------------------------------ reading

    /** The verified content of the file, re-read when it changed; null when there is no file. */
    Snapshot read() {
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
                raw = PrivateFiles.readPrivateFile(path, "encrypted file store", PrivateFiles.MAX_STORE_BYTES);
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
            } catch (RollbackGuard.RolledBack r) {
                // a writer may have replaced the file and recorded its generation after we read it: look again
                if (changedWhileReading++ < 100 && !Objects.equals(stampOf(path), now)) continue;
                throw corrupted(r.getMessage());
            }
            stamp = now;
            loaded = true;
            return current;
        }
    }

    private Snapshot load(byte[] raw) throws RollbackGuard.RolledBack {
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
        Snapshot prev = current;
        boolean sameKeys = prev != null && Arrays.equals(prev.headerBytes(), p.headerBytes()) && Arrays.equals(prev.keyset(), p.keyset());
        if (sameKeys) {
            keys = prev.keys();
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
            Entry old = sameKeys ? prev.entries().get(r.id()) : null;
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
        if (rollback.accepted(h.fileId(), p.generation())) rememberAccepted(h.fileId(), p.generation());
        return new Snapshot(h, p.headerBytes(), p.generation(), p.keyset(), keys, k, entries);
    }

    /** An accepted rollback becomes the remembered state, under the lock (already held when reading for a write). */
    @SuppressWarnings("try") // the lock is held for the whole block, not referenced in it
    private void rememberAccepted(byte[] fileId, long generation) {
        if (LockFile.heldByCurrentThread(lockPath)) {
            rollback.remember(fileId, generation);
        } else {
            try (LockFile l = lock()) {
                rollback.remember(fileId, generation);
            } catch (IOException e) {
                throw writeFailed(e);
            }
        }
    }

    private static Stamp stampOf(Path p) {
        try {
            Map<String, Object> a = Files.readAttributes(p, "unix:dev,ino,size,lastModifiedTime,ctime", LinkOption.NOFOLLOW_LINKS);
            return new Stamp(a.get("dev"), a.get("ino"), a.get("size"), a.get("lastModifiedTime"), a.get("ctime"));
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            throw new KeyringException("cannot read the attributes of encrypted file store " + p + ": " + e.getMessage(), e);
        }
    }

    // ------------------------------------------------------------------ failures

    /** Damage or tampering of this file: names the file and how to restore its backup. */
    StoreCorruptedException corrupted(String what) {
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
