package dev.keyring4j.encryptedfile;

import dev.keyring4j.keyset.Kek;
import dev.keyring4j.keyset.Keys;
import dev.keyring4j.keyset.KeysetProtection;
import dev.keyring4j.keyset.Header;
import dev.keyring4j.keyset.PrivateFiles;

import dev.keyring4j.KeyringException;
import dev.keyring4j.QuotaExceededException;
import dev.keyring4j.internal.BoundedInput;
import dev.keyring4j.StoreCorruptedException;
import dev.keyring4j.support.PrivateFile;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.StandardOpenOption;
import java.util.Set;
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
 * The one read path and the one write path of a store: its base file and its {@link Journal}.
 *
 * <ul>
 * <li>{@link #read} returns only a state whose checksum, keyset, MAC, entries, journal records and
 *     generation verified; it re-reads the base only when it changed (a new inode, size or time)
 *     and the journal only when it changed, retrying when a writer replaces them while they are
 *     being read;</li>
 * <li>{@link #mutate} holds the exclusive cross-process lock from the read through the commit, so
 *     every write builds on the latest state. A commit either appends the changed entries to the
 *     journal (one write and fdatasync) or, for a key change, a store in an older format or without
 *     a current journal, and once it holds {@link Journal#compactAfter} records, rewrites the base
 *     atomically and durably and then replaces the journal by an empty one; only then does it
 *     remember the generation (a crash leaves the record behind, never ahead);</li>
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
    private final Path journalPath;
    private final RollbackGuard rollback;

    private boolean closed;
    private boolean loaded;
    private Stamp stamp;
    private Stamp journalStamp;
    private Snapshot current;
    // the base alone as last verified (its entries map is never changed), and the stamp it was read at
    private Snapshot base;
    private Stamp baseStamp;
    // the KEK of the header last unlocked, kept even when that file was then refused (a retry needs no new unlock)
    private Kek kek;
    private byte[] kekHeader;
    private boolean tempsCleaned;
    // the store directory exists and its chain was checked by this instance (see lock())
    private boolean chainChecked;

    /** Identifies one version of a file: a rewrite is a new inode (rename), an append changes size and times. */
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

    /**
     * A state to write as the following generation: {@code state} with {@code edits} applied (entry
     * id to new entry, null for a delete); {@code rewrite} forces a new base (with the expired
     * entries purged) where an append would do; what becomes of the backup on a rewrite; and what
     * to do once it is in place.
     */
    record Next(Snapshot state, Map<String, Entry> edits, boolean rewrite, PrivateFiles.Backup backup, AfterCommit afterCommit) {
        /** A whole new state (new keys): always a rewrite. */
        Next(Snapshot state, PrivateFiles.Backup backup, AfterCommit afterCommit) {
            this(state, Map.of(), true, backup, afterCommit);
        }
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
        this.journalPath = dir.resolve(path.getFileName() + ".journal");
        this.rollback = new RollbackGuard(new GenerationRecord(settings.generationRecord()), settings.acceptRollback(), path);
        // refuse an exposed directory or file now rather than at the first use
        PrivateFiles.requirePrivateDirectory(dir, "encrypted file store directory", true);
        PrivateFiles.requirePrivateFile(path, "encrypted file store");
        PrivateFiles.requirePrivateFile(journalPath, "encrypted file store journal");
        PrivateFiles.requireSafeChain(dir, settings.home(), "encrypted file store directory");
        PrivateFiles.requireSafeChain(rollback.record().file().getParent(), settings.home(), "generation record directory");
    }

    /** The journal beside the store file. */
    Path journalPath() {
        return journalPath;
    }

    void close() {
        closed = true;
        current = null;
        base = null;
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
                if (c.next() != null) state = commit(state, c.next());
                if (c.then() == null) return c.result();
                m = c.then();
            }
        } catch (IOException e) {
            throw writeFailed(e);
        } catch (Entry.Undecryptable e) {
            // an entry opened lazily by the write (expiry check, rotation, compaction): nothing was written
            throw corrupted(e.getMessage());
        }
    }

    /** Writes {@code n} as the following generation(s) and remembers the generation. Holding the lock; {@code read} is the state read. */
    private Snapshot commit(Snapshot read, Next n) throws IOException {
        Snapshot s = n.state();
        Journal.Position j = s.journal();
        boolean appendable = !n.rewrite() && s == read && j != null && j.current() && !n.edits().isEmpty()
                && j.records() + n.edits().size() <= Journal.compactAfter(read.entries().size());
        if (appendable) {
            Snapshot appended = append(s, n.edits());
            if (appended != null) return appended;
        }
        return rewrite(n);
    }

    /** Appends one record per edit to the current journal and fdatasyncs it; null when the journal would grow over its limit. */
    private Snapshot append(Snapshot s, Map<String, Entry> edits) throws IOException {
        Journal.Position j = s.journal();
        byte[] fileId = s.header().fileId();
        long baseGeneration = s.baseGeneration();
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(256 * edits.size());
        byte[] last = j.last();
        long seq = j.records();
        for (Map.Entry<String, Entry> e : edits.entrySet()) {
            Entry en = e.getValue();
            byte[] id = en != null ? en.idBytes() : Entry.decodeIdUnchecked(e.getKey());
            byte[] frame = Journal.seal(s.keys(), fileId, baseGeneration, ++seq, last, new Journal.Edit(id, en == null ? null : en.ciphertext()));
            last = Journal.chain(frame, 8, frame.length - 8);
            out.writeBytes(frame);
        }
        byte[] bytes = out.toByteArray();
        if (j.length() + bytes.length > PrivateFiles.MAX_STORE_BYTES) return null;
        // the journal read under this lock is the one written to: only a locked writer changes it
        PrivateFiles.requirePrivateFile(journalPath, "encrypted file store journal");
        try (FileChannel ch = FileChannel.open(journalPath, Set.of(StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS))) {
            if (ch.size() != j.length()) ch.truncate(j.length()); // a torn tail a killed writer left (never acknowledged)
            ch.position(j.length());
            PrivateFile.writeFully(ch, bytes);
            ch.force(false);
        }
        journalStamp = stampOf(journalPath);
        TreeMap<String, Entry> entries = s.entries();
        if (base != null && entries == base.entries()) entries = new TreeMap<>(entries); // the base's own map stays as verified
        for (Map.Entry<String, Entry> e : edits.entrySet()) {
            if (e.getValue() == null) entries.remove(e.getKey());
            else entries.put(e.getKey(), e.getValue());
        }
        long generation = s.generation() + edits.size();
        current = s.at(generation, entries, j.after(edits.size(), last, j.length() + bytes.length));
        loaded = true;
        // After the record is on disk, and not fsync'd itself: on disk it can then only lag behind
        // the journal (a crash or power loss loses at most its latest versions), never run ahead.
        // A record older than the state refuses nothing that is current (only a state older than
        // the record is a rollback), so a lost record costs no write and raises no false alarm;
        // making it durable would cost a second fsync per set for the rollback check's memory of
        // the last few writes.
        rollback.remember(fileId, generation);
        return current;
    }

    /** Folds {@code n} into a new base file (atomic, durable), then replaces the journal by an empty one bound to it. */
    private Snapshot rewrite(Next n) throws IOException {
        Snapshot s = n.state();
        TreeMap<String, Entry> entries = new TreeMap<>(s.entries());
        long now = settings.clock().millis();
        entries.values().removeIf(e -> e.expiredAt(now));
        for (Map.Entry<String, Entry> e : n.edits().entrySet()) {
            if (e.getValue() == null) entries.remove(e.getKey());
            else entries.put(e.getKey(), e.getValue());
        }
        long generation = s.generation() + 1;
        byte[] bytes = StoreFile.write(s.headerBytes(), generation, s.keyset(), entries.values(), s.keys());
        if (bytes.length > PrivateFiles.MAX_STORE_BYTES) {
            // a file over the read limit could never be opened again: refuse the write, keep the store as it is
            throw new QuotaExceededException("encrypted file store " + path + " would grow to " + bytes.length + " bytes, over its limit of "
                    + BoundedInput.describe(PrivateFiles.MAX_STORE_BYTES) + "; nothing was written. Delete credentials you no longer need,"
                    + " or keep large secrets elsewhere");
        }
        byte[] fileId = s.header().fileId();
        byte[] header = Journal.header(fileId, generation, StoreFile.macOf(bytes));
        PrivateFiles.replace(path, bytes, backupPath, n.backup());
        // a crash here leaves the old journal, of a lower base generation: stale, ignored, replaced by the next write
        PrivateFile.writeAtomically(journalPath, header, PrivateFile.Sync.DURABLE);
        stamp = stampOf(path);
        journalStamp = stampOf(journalPath);
        baseStamp = stamp;
        base = s.at(generation, entries, Journal.Position.fresh(header, true));
        current = base;
        loaded = true;
        kek = s.kek();
        kekHeader = s.headerBytes();
        // after the file is in place: a crash in between leaves the record behind, never ahead
        rollback.remember(fileId, generation);
        n.afterCommit().run();
        return current;
    }

    private LockFile lock() throws IOException {
        if (closed) throw new IllegalStateException("encrypted file store " + path + " is closed");
        // Checked once per instance (and again by every re-read of the store file), not per write: a
        // directory's mode and owner can be changed only by its owner or root, and the chain is
        // refused unless that is this user or root, so nothing another user does can make a checked
        // chain unsafe afterwards. Saves a stat of every directory up to home on each set.
        boolean skipped = chainChecked;
        if (!chainChecked) {
            PrivateFiles.ensurePrivateDirectory(dir, "encrypted file store directory");
            PrivateFiles.requireSafeChain(dir, settings.home(), "encrypted file store directory");
            chainChecked = true;
        }
        LockFile l;
        try {
            l = LockFile.acquire(lockPath);
        } catch (NoSuchFileException e) {
            if (!skipped) throw e;
            chainChecked = false; // the directory was removed since: make and check it again
            return lock();
        }
        if (!tempsCleaned) {
            PrivateFiles.removeStaleTemps(dir, path.getFileName().toString());
            tempsCleaned = true;
        }
        return l;
    }

    // ------------------------------------------------------------------ reading

    /** The journal is of a newer base than the one read: a writer compacted meanwhile, or the base is an older copy. */
    private static final class NewerJournal extends Exception {
        NewerJournal() {
            super(null, null, false, false);
        }
    }

    /** The verified content of the store, re-read when the base or the journal changed; null when there is no file. */
    Snapshot read() {
        if (closed) throw new IllegalStateException("encrypted file store " + path + " is closed");
        int changedWhileReading = 0;
        for (int attempt = 0; ; attempt++) {
            Stamp now = stampOf(path);
            Stamp journalNow = stampOf(journalPath);
            if (loaded && Objects.equals(now, stamp) && Objects.equals(journalNow, journalStamp)) return current;
            if (now == null) {
                current = null;
                base = null;
                stamp = null;
                journalStamp = journalNow;
                loaded = true;
                return null;
            }
            PrivateFiles.requireSafeChain(dir, settings.home(), "encrypted file store directory");
            chainChecked = true;
            byte[] raw = null;
            if (base == null || !Objects.equals(now, baseStamp)) {
                raw = readFile(path, "encrypted file store");
                if (raw == null) {
                    if (attempt < 3) continue; // replaced or removed between stat and open
                    throw new KeyringException("encrypted file store " + path + " keeps disappearing while being read");
                }
            }
            byte[] journal = journalNow == null ? null : readFile(journalPath, "encrypted file store journal");
            // the stamps are taken before reading: if a file changed in between, the next call reads it again
            try {
                Snapshot b = raw != null ? loadBase(raw) : base;
                base = b;
                baseStamp = now;
                current = withJournal(b, journal);
            } catch (RollbackGuard.RolledBack r) {
                // a writer may have replaced the file and recorded its generation after we read it: look again
                if (changedWhileReading++ < 100 && changed(now, journalNow)) continue;
                throw corrupted(r.getMessage());
            } catch (NewerJournal r) {
                if (changedWhileReading++ < 100 && changed(now, journalNow)) continue;
                throw corrupted("it is an older copy: its journal " + journalPath + " continues a newer store file than this one."
                        + " Putting an old copy back would bring back deleted or replaced secrets. If you put it there on purpose, open the store once with"
                        + " encrypted-file.accept-rollback = true (then remove the setting)");
            }
            stamp = now;
            journalStamp = journalNow;
            loaded = true;
            return current;
        }
    }

    private boolean changed(Stamp baseThen, Stamp journalThen) {
        return !Objects.equals(stampOf(path), baseThen) || !Objects.equals(stampOf(journalPath), journalThen);
    }

    private byte[] readFile(Path p, String what) {
        try {
            return PrivateFiles.readPrivateFile(p, what, PrivateFiles.MAX_STORE_BYTES);
        } catch (IOException e) {
            throw new KeyringException("cannot read " + what + " " + p + ": " + e.getMessage(), e);
        }
    }

    /** The base file verified (no rollback check: that is on the state with its journal). */
    private Snapshot loadBase(byte[] raw) {
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
            byte[] master = protection.unlock(h);
            try {
                k = Kek.derive(master, h.fileId());
            } finally {
                Keys.wipe(master);
            }
            if (!k.matches(h.check())) {
                throw protection.wrongKey(h).orElseGet(() -> corrupted("the unsealed key does not match its check value"));
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
            keys.verifyFileMac(p.mac(), p.macInput());
        } catch (GeneralSecurityException e) {
            throw corrupted("its MAC does not verify: the content was modified");
        }
        Entry[] sorted = new Entry[p.entries().size()];
        String last = null;
        int n = 0;
        for (StoreFile.RawEntry r : p.entries()) {
            if (last != null && last.compareTo(r.id()) >= 0) throw corrupted("its entries are out of order or repeated");
            last = r.id();
            Entry old = sameKeys ? prev.entries().get(r.id()) : null;
            // same keys, same bytes: the entry held (perhaps already opened); else opened when first used
            sorted[n++] = old != null && old.ciphertextText.equals(r.ciphertextText()) ? old
                    : Entry.unopened(keys, h.fileId(), r.id(), null, r.ciphertextText());
        }
        TreeMap<String, Entry> entries = new TreeMap<>(new SortedRun(sorted)); // built in O(n): no comparison, no rebalancing
        kek = k;
        kekHeader = p.headerBytes();
        Journal.Position none = Journal.Position.fresh(Journal.header(h.fileId(), p.generation(), p.mac()), false);
        return new Snapshot(h, p.headerBytes(), p.generation(), p.keyset(), keys, k, entries, none);
    }

    /**
     * Entries in strictly ascending id order, seen as a {@link java.util.SortedMap} only so that
     * {@code new TreeMap<>(run)} builds its tree in one pass (TreeMap's constructor from a sorted
     * map), where 10 000 {@code put}s cost most of an open. Only what that constructor uses is
     * implemented.
     */
    private static final class SortedRun extends java.util.AbstractMap<String, dev.keyring4j.encryptedfile.Entry> implements java.util.SortedMap<String, dev.keyring4j.encryptedfile.Entry> {
        private final dev.keyring4j.encryptedfile.Entry[] sorted;

        SortedRun(dev.keyring4j.encryptedfile.Entry[] sorted) {
            this.sorted = sorted;
        }

        @Override
        public java.util.Comparator<? super String> comparator() {
            return null; // natural order, the order checked while reading
        }

        @Override
        public int size() {
            return sorted.length;
        }

        @Override
        public java.util.Set<Map.Entry<String, dev.keyring4j.encryptedfile.Entry>> entrySet() {
            return new java.util.AbstractSet<>() {
                @Override
                public java.util.Iterator<Map.Entry<String, dev.keyring4j.encryptedfile.Entry>> iterator() {
                    return java.util.Arrays.stream(sorted).map(e -> Map.entry(e.id, e)).iterator();
                }

                @Override
                public int size() {
                    return sorted.length;
                }
            };
        }

        @Override
        public java.util.SortedMap<String, dev.keyring4j.encryptedfile.Entry> subMap(String from, String to) {
            throw new UnsupportedOperationException();
        }

        @Override
        public java.util.SortedMap<String, dev.keyring4j.encryptedfile.Entry> headMap(String to) {
            throw new UnsupportedOperationException();
        }

        @Override
        public java.util.SortedMap<String, dev.keyring4j.encryptedfile.Entry> tailMap(String from) {
            throw new UnsupportedOperationException();
        }

        @Override
        public String firstKey() {
            throw new UnsupportedOperationException();
        }

        @Override
        public String lastKey() {
            throw new UnsupportedOperationException();
        }
    }

    /** {@code b} with the records of {@code journal} (null: none) applied, checked against the rollback guard. */
    private Snapshot withJournal(Snapshot b, byte[] journal) throws RollbackGuard.RolledBack, NewerJournal {
        Snapshot s = b;
        if (journal != null) {
            Journal.Frames f;
            try {
                f = Journal.parse(journal);
            } catch (StoreFile.Damage d) {
                throw corrupted(d.getMessage(), journalPath);
            }
            byte[] expected = b.journal().header();
            if (Arrays.equals(f.header(), expected)) {
                s = applied(b, f, journal);
            } else if (f.baseGeneration() > b.generation() && !settings.acceptRollback() && !rollback.remembers(b.header().fileId(), b.generation())) {
                throw new NewerJournal(); // unless this older file was accepted on purpose: then the journal is left over
            } else if (f.baseGeneration() == b.generation()) {
                throw corrupted("its journal names another store file of the same generation", journalPath);
            } // else stale (or, with accept-rollback, of the newer store file): ignored, replaced by the next write
        }
        if (rollback.accepted(s.header().fileId(), s.generation())) rememberAccepted(s.header().fileId(), s.generation());
        return s;
    }

    private Snapshot applied(Snapshot b, Journal.Frames f, byte[] raw) {
        Journal.Position j = b.journal();
        if (f.count() == 0) return b.at(b.generation(), b.entries(), j.after(0, j.last(), f.validLength()));
        byte[] fileId = b.header().fileId();
        TreeMap<String, Entry> entries = new TreeMap<>(b.entries());
        Snapshot prev = current;
        byte[] last = j.last();
        for (int i = 0; i < f.count(); i++) {
            int off = f.offsets()[i];
            int len = f.lengths()[i];
            Journal.Edit e;
            try {
                e = Journal.open(b.keys(), fileId, b.generation(), i + 1, last, raw, off, len);
            } catch (GeneralSecurityException ex) {
                throw corrupted("journal record " + (i + 1) + " does not decrypt, or is not in its place", journalPath);
            }
            String id = Entry.idText(e.entryId());
            if (e.ciphertext() == null) {
                if (entries.remove(id) == null) throw corrupted("journal record " + (i + 1) + " deletes an entry that is not there", journalPath);
            } else {
                Entry old = prev != null && prev.keys() == b.keys() ? prev.entries().get(id) : null;
                // the record's AEAD authenticated it; the entry itself is opened when first used
                String text = java.util.Base64.getEncoder().encodeToString(e.ciphertext());
                Entry en = old != null && old.ciphertextText.equals(text) ? old : Entry.unopened(b.keys(), fileId, id, e.ciphertext(), text);
                entries.put(id, en);
            }
            last = Journal.chain(raw, off, len);
        }
        return b.at(b.generation() + f.count(), entries, j.after(f.count(), last, f.validLength()));
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

    /** Damage or tampering of the store file: names the file and how to restore its backup. */
    StoreCorruptedException corrupted(String what) {
        return corrupted(what, path);
    }

    /** Damage or tampering of {@code damaged} (the store file or its journal): names it and how to restore the backup. */
    StoreCorruptedException corrupted(String what, Path damaged) {
        String backup = Files.exists(backupPath)
                ? "the store file as it was before its latest rewrite is kept in " + backupPath + " (after saving the damaged files for inspection,"
                        + " restore it: cp -p '" + backupPath + "' '" + path + "', and open the store once with encrypted-file.accept-rollback = true,"
                        + " since it is older; the writes journaled since that rewrite are lost)"
                : "there is no backup (" + backupPath + ")";
        String journal = damaged.equals(journalPath)
                ? " Without its journal, the store file alone holds the state of its last rewrite: move " + journalPath + " aside and open the"
                        + " store once with encrypted-file.accept-rollback = true (the writes journaled since are lost); or"
                : "";
        return new StoreCorruptedException("encrypted file store " + path + " is damaged or was tampered with: " + what
                + (damaged.equals(path) ? "" : " (in " + damaged + ")") + ". Nothing was read from it and nothing will be written over it;"
                + journal + " " + backup);
    }

    private KeyringException writeFailed(IOException e) {
        return new KeyringException("cannot write encrypted file store " + path + ": " + e.getMessage()
                + " (the previous content is intact)", e);
    }
}
