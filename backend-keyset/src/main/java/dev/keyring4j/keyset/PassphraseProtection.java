package dev.keyring4j.keyset;

import com.google.crypto.tink.subtle.Random;
import dev.keyring4j.KeyringException;
import dev.keyring4j.LockedException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;
import org.bouncycastle.crypto.generators.Argon2BytesGenerator;
import org.bouncycastle.crypto.params.Argon2Parameters;

/**
 * The master secret is Argon2id(passphrase, salt) with the parameters stored in the header (Bouncy Castle).
 * The passphrase is read once per unlock and wiped; only the derived key is kept by the caller.
 */
public final class PassphraseProtection implements KeysetProtection {
    private static final int SALT_BYTES = 16;
    /** Where a passphrase comes from when the application supplies none. */
    public static final String PASSPHRASE_ENV = "KEYRING4J_PASSPHRASE";
    private final ProtectionSettings settings;

    /** The passphrase protection of the store {@code settings} describes. */
    public PassphraseProtection(ProtectionSettings settings) {
        this.settings = settings;
    }

    @Override
    public ProtectionKind kind() {
        return ProtectionKind.PASSPHRASE;
    }

    @Override
    public Created create(byte[] fileId) {
        char[] pass = settings.passphrase(true);
        try {
            return withPassphrase(fileId, pass);
        } finally {
            Arrays.fill(pass, '\0');
        }
    }

    /** A new salt and master secret for {@code pass} (creation, and changing the passphrase). */
    public Created withPassphrase(byte[] fileId, char[] pass) {
        if (pass.length == 0) throw new KeyringException("an empty passphrase is refused for " + settings.where());
        byte[] salt = Random.randBytes(SALT_BYTES);
        byte[] master = derive(pass, salt, settings.argon2());
        return new Created(new Header(fileId, ProtectionKind.PASSPHRASE, null, settings.argon2(), salt, null), master);
    }

    @Override
    public byte[] unlock(Header header) {
        char[] pass = passphrase(false);
        try {
            return derive(pass, header.salt(), header.argon2());
        } finally {
            Arrays.fill(pass, '\0');
        }
    }

    /**
     * A rotation keeps the passphrase and its salt (the passphrase is the master secret). A rekey
     * (a new file id) asks for the current passphrase again, checks it against the file, and
     * derives a new master secret with a new salt.
     */
    @Override
    public Optional<Created> renew(Header current, byte[] fileId) {
        if (Arrays.equals(fileId, current.fileId())) return Optional.empty();
        char[] pass = passphrase(false);
        try {
            byte[] old = derive(pass, current.salt(), current.argon2());
            boolean right;
            try {
                right = Kek.derive(old, current.fileId()).matches(current.check());
            } finally {
                Keys.wipe(old);
            }
            if (!right) throw wrongKey(current).orElseThrow();
            return Optional.of(withPassphrase(fileId, pass));
        } finally {
            Arrays.fill(pass, '\0');
        }
    }

    @Override
    public Optional<KeyringException> wrongKey(Header header) {
        return Optional.of(new LockedException("wrong passphrase for " + settings.where() + " (the passphrase came from "
                + settings.passphraseSource() + "); nothing was read or changed"));
    }

    @Override
    public String describe() {
        String src = settings.passphraseSource();
        return "passphrase (Argon2id m=" + settings.argon2().memoryKib() + " KiB, t=" + settings.argon2().iterations()
                + ", p=" + settings.argon2().parallelism() + "; passphrase from " + (src == null ? "nowhere yet" : src) + ")";
    }

    private char[] passphrase(boolean create) {
        char[] pass = settings.passphrase(create);
        if (pass == null) {
            throw new LockedException(settings.where() + " is protected by a passphrase and none was supplied: " + settings.passphraseHint());
        }
        return pass;
    }

    /** Argon2id → 32 bytes; the passphrase is encoded as UTF-8 (the caller wipes the chars). */
    public static byte[] derive(char[] pass, byte[] salt, Argon2Params a) {
        ByteBuffer encoded = StandardCharsets.UTF_8.encode(CharBuffer.wrap(pass));
        byte[] bytes = Arrays.copyOf(encoded.array(), encoded.limit());
        Arrays.fill(encoded.array(), (byte) 0);
        try {
            Argon2Parameters params = new Argon2Parameters.Builder(Argon2Parameters.ARGON2_id)
                    .withVersion(Argon2Parameters.ARGON2_VERSION_13)
                    .withMemoryAsKB(a.memoryKib())
                    .withIterations(a.iterations())
                    .withParallelism(a.parallelism())
                    .withSalt(salt)
                    .build();
            Argon2BytesGenerator gen = new Argon2BytesGenerator();
            gen.init(params);
            byte[] out = new byte[Kek.MASTER_BYTES];
            gen.generateBytes(bytes, out);
            return out;
        } finally {
            Arrays.fill(bytes, (byte) 0);
        }
    }
}
