package dev.keyring4j.keyset;

import com.google.crypto.tink.subtle.Random;
import dev.keyring4j.KeyringException;
import dev.keyring4j.LockedException;
import dev.keyring4j.support.PrivateFile;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;

/**
 * The master secret is 32 random bytes in a separate 0600 key file: the configured key file
 * ({@code encrypted-file.keyfile}, {@code etcd.keyfile}), else, for an encrypted file, one per store, {@code ${XDG_CONFIG_HOME}/keyring4j/<file id>.key} (so two stores never
 * share one). This protects against a leak of the store file alone, nothing more: whoever reads
 * both files reads the secrets.
 *
 * <p>A rotation or rekey writes the new secret to {@code <key file>.next} first; once the store
 * file under it is in place, {@code .next} is renamed over the key file (and a rekey's old
 * per-store key file is removed). A crash in between leaves a store that either key opens:
 * unlocking tries {@code .next} when the key file does not match and finishes the rename.
 */
public final class KeyfileProtection implements KeysetProtection {
    private static final String NEXT = ".next";
    private static final System.Logger LOG = System.getLogger(KeyfileProtection.class.getName());
    private final ProtectionSettings settings;

    /** The key file protection of the store {@code settings} describes. */
    public KeyfileProtection(ProtectionSettings settings) {
        this.settings = settings;
    }

    @Override
    public ProtectionKind kind() {
        return ProtectionKind.KEYFILE;
    }

    @Override
    public Created create(byte[] fileId) {
        Header h = new Header(fileId, ProtectionKind.KEYFILE, null, null, null, null);
        Path keyfile = settings.keyfile(h);
        prepareDirectory(keyfile);
        byte[] master = Random.randBytes(Kek.MASTER_BYTES);
        try {
            PrivateFile.createNew(keyfile, master);
        } catch (FileAlreadyExistsException e) {
            // a configured key file is already there (a store that was removed, or shared on purpose): use it
            Keys.wipe(master);
            master = read(keyfile);
            if (master == null) throw missing(keyfile);
        } catch (IOException e) {
            Keys.wipe(master);
            throw new KeyringException("cannot create the key file " + keyfile + ": " + e.getMessage(), e);
        }
        return new Created(h, master);
    }

    @Override
    public Optional<Created> renew(Header current, byte[] fileId) {
        Header h = new Header(fileId, ProtectionKind.KEYFILE, null, null, null, null);
        Path next = next(settings.keyfile(h));
        prepareDirectory(next);
        byte[] master = Random.randBytes(Kek.MASTER_BYTES);
        try {
            PrivateFile.writeAtomically(next, master);
        } catch (IOException e) {
            Keys.wipe(master);
            throw new KeyringException("cannot write the new key file " + next + ": " + e.getMessage(), e);
        }
        return Optional.of(new Created(h, master));
    }

    @Override
    public void committed(Header old, Header now) throws IOException {
        Path keyfile = settings.keyfile(now);
        promote(keyfile);
        Path before = settings.keyfile(old);
        if (!before.equals(keyfile)) {
            if (old.version() == 1) {
                // the name-derived key file of version 1 may be shared with another store of the same file name
                LOG.log(System.Logger.Level.INFO, "{0} now has its own key file {1}; {2} no longer opens it"
                        + " (remove it once no other store of the same file name uses it)", settings.where(), keyfile, before);
            } else {
                Files.deleteIfExists(before); // a per-store key file of the old file id: nothing else uses it
            }
        }
    }

    @Override
    public byte[] unlock(Header header) {
        Path keyfile = settings.keyfile(header);
        byte[] master = read(keyfile);
        if (master != null && matches(master, header)) return master;
        byte[] staged = read(next(keyfile));
        if (staged != null && matches(staged, header)) {
            // a rotation wrote this store file and stopped before renaming the key file: finish it
            if (master != null) Keys.wipe(master);
            try {
                promote(keyfile);
            } catch (IOException e) {
                LOG.log(System.Logger.Level.WARNING, "cannot rename {0} to {1}: {2}", next(keyfile), keyfile, e.getMessage());
            }
            return staged;
        }
        if (staged != null) Keys.wipe(staged);
        if (master == null) throw missing(keyfile);
        return master; // the caller finds the mismatch: wrongKey
    }

    private static boolean matches(byte[] master, Header h) {
        return Kek.derive(master, h.fileId()).matches(h.check());
    }

    private static void promote(Path keyfile) throws IOException {
        try {
            Files.move(next(keyfile), keyfile, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (NoSuchFileException e) {
            return; // another process finished it
        }
        PrivateFile.fsyncDirectory(keyfile.getParent());
    }

    private static Path next(Path keyfile) {
        return keyfile.resolveSibling(keyfile.getFileName() + NEXT);
    }

    private void prepareDirectory(Path keyfile) {
        Path dir = keyfile.getParent();
        if (!Files.isDirectory(dir)) PrivateFiles.ensurePrivateDirectory(dir, "key file directory");
        PrivateFiles.requirePrivateDirectory(dir, "key file directory", false);
        PrivateFiles.requireSafeChain(dir, settings.home(), "key file directory");
    }

    /** The key file's 32 bytes, or null when it does not exist. */
    private byte[] read(Path keyfile) {
        PrivateFiles.requirePrivateDirectory(keyfile.getParent(), "key file directory", false);
        PrivateFiles.requireSafeChain(keyfile.getParent(), settings.home(), "key file directory");
        byte[] master;
        try {
            master = PrivateFiles.readPrivateFile(keyfile, "key file", PrivateFiles.MAX_SMALL_FILE_BYTES);
        } catch (IOException e) {
            throw new LockedException("cannot read the key file " + keyfile + " of " + settings.where() + ": " + e.getMessage(), e);
        }
        if (master != null && master.length != Kek.MASTER_BYTES) {
            Keys.wipe(master);
            throw new LockedException("the key file " + keyfile + " is not a keyring4j key file (it must hold exactly "
                    + Kek.MASTER_BYTES + " bytes); restore the right one or set " + settings.keyfileKey());
        }
        return master;
    }

    private LockedException missing(Path keyfile) {
        return new LockedException(settings.where() + " is protected by the key file " + keyfile
                + ", which is missing; restore it, or set " + settings.keyfileKey() + " to where it is");
    }

    @Override
    public Optional<KeyringException> wrongKey(Header header) {
        return Optional.of(new LockedException("the key file " + settings.keyfile(header) + " does not open " + settings.where()
                + " (it belongs to another store, or is older than the store's last rotation); restore the right key file or set " + settings.keyfileKey()));
    }

    @Override
    public String describe() {
        return "keyfile " + settings.keyfileDescription();
    }
}
