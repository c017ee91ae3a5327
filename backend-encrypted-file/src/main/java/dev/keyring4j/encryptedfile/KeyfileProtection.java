package dev.keyring4j.encryptedfile;

import com.google.crypto.tink.subtle.Random;
import dev.keyring4j.KeyringException;
import dev.keyring4j.LockedException;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The master secret is 32 random bytes in a separate 0600 key file (default
 * {@code ${XDG_CONFIG_HOME}/keyring4j/<store file name>.key}). This protects against a leak of the
 * store file alone, nothing more: whoever reads both files reads the secrets.
 */
final class KeyfileProtection implements KeysetProtection {
    private final StoreSettings settings;

    KeyfileProtection(StoreSettings settings) {
        this.settings = settings;
    }

    @Override
    public ProtectionKind kind() {
        return ProtectionKind.KEYFILE;
    }

    @Override
    public Created create(byte[] fileId) {
        Path keyfile = settings.keyfile();
        Path dir = keyfile.getParent();
        if (!Files.isDirectory(dir)) PrivateFiles.ensurePrivateDirectory(dir, "key file directory");
        PrivateFiles.requirePrivate(dir, "key file directory", false);
        byte[] master = Random.randBytes(Kek.MASTER_BYTES);
        try {
            PrivateFiles.createNew(keyfile, master);
        } catch (FileAlreadyExistsException e) {
            // a key file is already there (a store that was removed, or shared on purpose): use it
            Keys.wipe(master);
            master = read(keyfile, settings.path());
        } catch (IOException e) {
            Keys.wipe(master);
            throw new KeyringException("cannot create the key file " + keyfile + ": " + e.getMessage(), e);
        }
        return new Created(new Header(fileId, ProtectionKind.KEYFILE, null, null, null, null), master);
    }

    @Override
    public byte[] unlock(Header header, Path store) {
        return read(settings.keyfile(), store);
    }

    private static byte[] read(Path keyfile, Path store) {
        PrivateFiles.requirePrivate(keyfile.getParent(), "key file directory", false);
        PrivateFiles.requirePrivate(keyfile, "key file", false);
        byte[] master;
        try {
            master = Files.readAllBytes(keyfile);
        } catch (NoSuchFileException e) {
            throw new LockedException("encrypted file store " + store + " is protected by the key file " + keyfile
                    + ", which is missing; restore it, or set encrypted-file.keyfile to where it is");
        } catch (IOException e) {
            throw new LockedException("cannot read the key file " + keyfile + " of encrypted file store " + store + ": " + e.getMessage(), e);
        }
        if (master.length != Kek.MASTER_BYTES) {
            Keys.wipe(master);
            throw new LockedException("the key file " + keyfile + " is not a keyring4j key file (it must hold exactly "
                    + Kek.MASTER_BYTES + " bytes); restore the right one or set encrypted-file.keyfile");
        }
        return master;
    }

    @Override
    public Optional<KeyringException> wrongKey(Path store) {
        return Optional.of(new LockedException("the key file " + settings.keyfile() + " does not open encrypted file store " + store
                + " (it belongs to another store); restore the right key file or set encrypted-file.keyfile"));
    }

    @Override
    public String describe() {
        return "keyfile " + settings.keyfile();
    }
}
