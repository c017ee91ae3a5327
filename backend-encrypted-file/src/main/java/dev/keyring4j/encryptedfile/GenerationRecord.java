package dev.keyring4j.encryptedfile;

import dev.keyring4j.keyset.Header;
import dev.keyring4j.keyset.PrivateFiles;

import dev.keyring4j.KeyringException;
import dev.keyring4j.support.PrivateFile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * What is remembered outside a store file so that an older copy put back in its place (a restored
 * backup, {@code cp c.k4j.bak c.k4j}) is recognised: the file id and the generation of the last
 * write. One 0600 file per store path, {@code ${XDG_STATE_HOME:-~/.local/state}/keyring4j/<file
 * name>.<hash of the path>.generation} in a 0700 directory, one line
 * {@code keyring4j-generation/1 <file id hex> <generation>}. It survives reboots (a plain file);
 * it is written after the store file, without fsync, so after a power loss it may lag behind the
 * last writes, which is the safe direction (an older record refuses nothing that is newer).
 *
 * @param file where the record is kept
 */
record GenerationRecord(Path file) {
    static final String SUFFIX = ".generation";
    private static final String MAGIC = "keyring4j-generation/1";

    /** The last write remembered for this store path. */
    record Remembered(byte[] fileId, long generation) {
        @Override
        public String toString() {
            return "generation " + generation + " of file id " + StoreFile.hex(fileId);
        }
    }

    /** The remembered write, or null when this store path has none (never written by this version, or the record was removed). */
    Remembered read() {
        byte[] raw;
        try {
            PrivateFiles.requirePrivateDirectory(file.getParent(), "generation record directory", true);
            raw = PrivateFiles.readPrivateFile(file, "generation record", PrivateFiles.MAX_SMALL_FILE_BYTES);
        } catch (IOException e) {
            throw new KeyringException("cannot read the generation record " + file + ": " + e.getMessage(), e);
        }
        if (raw == null) return null;
        String[] f = new String(raw, StandardCharsets.US_ASCII).trim().split(" ");
        try {
            if (f.length == 3 && f[0].equals(MAGIC) && f[1].length() == Header.FILE_ID_BYTES * 2) {
                byte[] id = new byte[Header.FILE_ID_BYTES];
                for (int i = 0; i < id.length; i++) id[i] = (byte) Integer.parseInt(f[1].substring(2 * i, 2 * i + 2), 16);
                long g = Long.parseLong(f[2]);
                if (g >= 0 && StoreFile.hex(id).equals(f[1])) return new Remembered(id, g);
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new KeyringException("the generation record " + file + " is malformed; if nothing else is wrong, remove it"
                + " (the store's next write makes a new one)");
    }

    /** Remembers a write (call after the store file is in place, holding the store's lock). */
    void remember(byte[] fileId, long generation) {
        try {
            PrivateFiles.ensurePrivateDirectory(file.getParent(), "generation record directory");
            PrivateFile.writeAtomically(file, (MAGIC + " " + StoreFile.hex(fileId) + " " + generation + "\n").getBytes(StandardCharsets.US_ASCII), PrivateFile.Sync.ATOMIC_ONLY);
        } catch (IOException e) {
            throw new KeyringException("the store file was written, but its generation could not be remembered in " + file + ": "
                    + e.getMessage() + "; until the next write succeeds, an older copy of the file would not be recognised", e);
        }
    }

    /** Whether a file with this id and generation is older than, or another store than, what was last written here. */
    static boolean isRollback(Remembered r, byte[] fileId, long generation) {
        return r != null && (!Arrays.equals(r.fileId, fileId) || generation < r.generation);
    }
}
