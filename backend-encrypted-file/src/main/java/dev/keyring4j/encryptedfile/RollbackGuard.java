package dev.keyring4j.encryptedfile;

import java.nio.file.Path;
import java.util.Arrays;

/**
 * Recognises an older copy of a store file put back in its place, or another store's file, by
 * comparing its MAC-covered file id and generation with the {@link GenerationRecord} kept outside
 * the file. Refuses it ({@link RolledBack}) unless {@code encrypted-file.accept-rollback} is set;
 * then it is accepted with a warning, and the caller remembers it as the current state.
 */
record RollbackGuard(GenerationRecord record, boolean acceptRollback, Path store) {
    private static final System.Logger LOG = System.getLogger(EncryptedFileStore.class.getName());

    /** The file is older than, or another store than, the one last written at this path. */
    static final class RolledBack extends Exception {
        RolledBack(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * Checks a verified file's id and generation against the record.
     *
     * @return true when it is a rollback accepted by the setting: the caller must {@link #remember} it, holding the lock
     * @throws RolledBack when it is a rollback and the setting is not given
     */
    boolean accepted(byte[] fileId, long generation) throws RolledBack {
        GenerationRecord.Remembered r = record.read();
        if (!GenerationRecord.isRollback(r, fileId, generation)) return false;
        String what = Arrays.equals(r.fileId(), fileId)
                ? "it is an older copy: generation " + generation + ", but generation " + r.generation() + " was written here"
                : "it is another store (file id " + StoreFile.hex(fileId) + ") than the one last written here (file id "
                        + StoreFile.hex(r.fileId()) + "), e.g. a copy from before a rekey";
        what += " (remembered in " + record.file() + "). Putting an old copy back would bring back deleted or replaced secrets";
        if (!acceptRollback) {
            throw new RolledBack(what + ". If you put it there on purpose, open the store once with encrypted-file.accept-rollback = true"
                    + " (then remove the setting)");
        }
        LOG.log(System.Logger.Level.WARNING, "encrypted file store {0}: {1}; accepted because encrypted-file.accept-rollback is set"
                + " (remove the setting again)", store, what);
        return true;
    }

    /** Whether exactly this file id and generation are what was last written or accepted here. */
    boolean remembers(byte[] fileId, long generation) {
        GenerationRecord.Remembered r = record.read();
        return r != null && r.generation() == generation && Arrays.equals(r.fileId(), fileId);
    }

    /** Remembers a write or an accepted rollback (after the file is in place, holding the store's lock). */
    void remember(byte[] fileId, long generation) {
        record.remember(fileId, generation);
    }
}
