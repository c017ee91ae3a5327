package dev.keyring4j.encryptedfile;

import dev.keyring4j.keyset.Header;
import dev.keyring4j.keyset.PrivateFiles;

import dev.keyring4j.KeyringException;
import dev.keyring4j.support.PrivateFile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;

/**
 * What is remembered outside a store file so that an older copy put back in its place (a restored
 * backup, {@code cp c.k4j.bak c.k4j}) is recognised: the file id and the generation of the last
 * write. One 0600 file per store path, {@code ${XDG_STATE_HOME:-~/.local/state}/keyring4j/<file
 * name>.<hash of the path>.generation} in a 0700 directory, one line
 * {@code keyring4j-generation/1 <file id hex> <generation> <crc>}: the generation in 19 digits
 * (leading zeros) so that the line's length never changes, and the CRC-32 (8 hex digits) of what
 * precedes it. Earlier builds wrote the line without the CRC and without leading zeros; it is read
 * the same. It survives reboots (a plain file); it is written after the store file, without fsync,
 * so after a power loss it may lag behind the last writes, which is the safe direction (an older
 * record refuses nothing that is newer).
 *
 * <p>A write of the same file id over a record of the same length overwrites the line in place (one
 * write of 85 bytes at offset 0); anything else (the first write, a new file id, an older record's
 * line) replaces the file atomically by a rename. The rename costs a set on ext4 about as much as a
 * fifth of its fdatasync, which is why the common case avoids it. A reader may meet an in-place
 * write half done (the old line's start with the new one's end, or the other way round: digits of
 * two generations), and a power loss may leave one on disk; the CRC tells either from a record. A
 * reader that finds the CRC wrong reads again, up to {@value #READS} times a millisecond apart (a
 * write under way is over by then); a line still wrong is damage left by a crash, and is taken as
 * no record (with a warning), as a removed record is, until the next write replaces it.
 *
 * @param file where the record is kept
 */
record GenerationRecord(Path file) {
    static final String SUFFIX = ".generation";
    private static final String MAGIC = "keyring4j-generation/1";
    /** Reads of a line whose CRC does not match before it is taken as damage. */
    static final int READS = 50;
    private static final System.Logger LOG = System.getLogger(EncryptedFileStore.class.getName());

    /** The last write remembered for this store path. */
    record Remembered(byte[] fileId, long generation) {
        @Override
        public String toString() {
            return "generation " + generation + " of file id " + StoreFile.hex(fileId);
        }
    }

    /**
     * The remembered write, or null when this store path has none (never written by this version,
     * the record removed, or a record damaged by a crash: see above).
     */
    Remembered read() {
        for (int attempt = 1; ; attempt++) {
            byte[] raw;
            try {
                PrivateFiles.requirePrivateDirectory(file.getParent(), "generation record directory", true);
                raw = PrivateFiles.readPrivateFile(file, "generation record", PrivateFiles.MAX_SMALL_FILE_BYTES);
            } catch (IOException e) {
                throw new KeyringException("cannot read the generation record " + file + ": " + e.getMessage(), e);
            }
            if (raw == null) return null;
            String line = new String(raw, StandardCharsets.US_ASCII);
            String[] f = line.trim().split(" ");
            if (f.length == 4 && !f[3].equals(crc(line.substring(0, Math.max(0, line.lastIndexOf(' ')))))) {
                if (attempt < READS) {
                    pause();
                    continue; // a write in place under way: read it again once it is whole
                }
                LOG.log(System.Logger.Level.WARNING, "encrypted file store: the generation record {0} is damaged (its CRC does not match,"
                        + " a write cut short by a crash?); it is ignored, so an older copy of the store would not be recognised"
                        + " until the next write replaces the record", file);
                return null;
            }
            Remembered r = parse(f);
            if (r != null) return r;
            throw new KeyringException("the generation record " + file + " is malformed; if nothing else is wrong, remove it"
                    + " (the store's next write makes a new one)");
        }
    }

    /** The fields of a line ({@code magic id generation [crc]}), or null when they are not a record. */
    private static Remembered parse(String[] f) {
        try {
            if ((f.length == 3 || f.length == 4) && f[0].equals(MAGIC) && f[1].length() == Header.FILE_ID_BYTES * 2) {
                byte[] id = new byte[Header.FILE_ID_BYTES];
                for (int i = 0; i < id.length; i++) id[i] = (byte) Integer.parseInt(f[1].substring(2 * i, 2 * i + 2), 16);
                long g = Long.parseLong(f[2]);
                if (g >= 0 && StoreFile.hex(id).equals(f[1])) return new Remembered(id, g);
            }
        } catch (NumberFormatException e) {
            // not a record
        }
        return null;
    }

    /** The line a write writes: fixed width, so that the next write of the same file id can overwrite it in place. */
    static String line(byte[] fileId, long generation) {
        String fields = String.format(java.util.Locale.ROOT, "%s %s %019d", MAGIC, StoreFile.hex(fileId), generation);
        return fields + " " + crc(fields) + "\n";
    }

    private static String crc(String fields) {
        java.util.zip.CRC32 c = new java.util.zip.CRC32();
        c.update(fields.getBytes(StandardCharsets.US_ASCII));
        return String.format(java.util.Locale.ROOT, "%08x", c.getValue());
    }

    private static void pause() {
        try {
            Thread.sleep(1);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KeyringException("interrupted while reading the generation record again");
        }
    }

    /** Remembers a write (call after the store file is in place, holding the store's lock). */
    void remember(byte[] fileId, long generation) {
        byte[] line = line(fileId, generation).getBytes(StandardCharsets.US_ASCII);
        try {
            PrivateFiles.ensurePrivateDirectory(file.getParent(), "generation record directory");
            if (!overwritten(line)) PrivateFile.writeAtomically(file, line, PrivateFile.Sync.ATOMIC_ONLY);
        } catch (IOException e) {
            throw new KeyringException("the store file was written, but its generation could not be remembered in " + file + ": "
                    + e.getMessage() + "; until the next write succeeds, an older copy of the file would not be recognised", e);
        }
    }

    /**
     * Overwrites the record in place when it is this user's private regular file holding a line of
     * the same length and the same file id (so only generation digits change); false when it must be
     * replaced instead.
     */
    private boolean overwritten(byte[] line) throws IOException {
        try {
            PrivateFiles.requirePrivateFile(file, "generation record");
        } catch (KeyringException e) {
            return false; // not a file this user may trust: replaced below, the old one never opened
        }
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS)) {
            if (ch.size() != line.length) return false;
            ByteBuffer old = ByteBuffer.allocate(line.length);
            while (old.hasRemaining() && ch.read(old, old.position()) >= 0) {
                // read to the end of the line
            }
            int idEnd = MAGIC.length() + 1 + Header.FILE_ID_BYTES * 2 + 1; // "magic id " is the part that must not change
            if (old.hasRemaining() || !Arrays.equals(old.array(), 0, idEnd, line, 0, idEnd)) return false;
            ByteBuffer b = ByteBuffer.wrap(line);
            while (b.hasRemaining()) ch.write(b, b.position());
            return true;
        } catch (java.nio.file.NoSuchFileException e) {
            return false;
        }
    }

    /** Whether a file with this id and generation is older than, or another store than, what was last written here. */
    static boolean isRollback(Remembered r, byte[] fileId, long generation) {
        return r != null && (!Arrays.equals(r.fileId, fileId) || generation < r.generation);
    }
}
