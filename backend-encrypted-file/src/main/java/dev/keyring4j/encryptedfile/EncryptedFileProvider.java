package dev.keyring4j.encryptedfile;

import dev.keyring4j.Capabilities;
import dev.keyring4j.CredentialStore;
import dev.keyring4j.KeyringException;
import dev.keyring4j.spi.Availability;
import dev.keyring4j.spi.BackendConfig;
import dev.keyring4j.spi.CredentialStoreProvider;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Provides the {@code encrypted-file} backend (priority 2): {@link EncryptedFileStore}.
 *
 * <p>Configuration keys ({@code encrypted-file.<key>}): {@code path} (default
 * {@code ${XDG_DATA_HOME:-~/.local/share}/keyring4j/credentials.k4j}), {@code protection}
 * ({@code passphrase | systemd-creds | keyfile}; default: what an existing file says, else
 * systemd-creds where it works for this user, else keyfile), {@code keyfile} (default
 * {@code ${XDG_CONFIG_HOME:-~/.config}/keyring4j/<file id>.key}, one per store), {@code argon2.memory} (KiB),
 * {@code argon2.iterations}, {@code argon2.parallelism} (defaults 19456, 2, 1: OWASP's
 * recommendation; weaker values are refused), {@code unseal-timeout} (systemd-creds, default PT10S),
 * {@code accept-rollback} (default false: an older copy of the file than the one last written is refused).
 *
 * <p>{@link #probe} never prompts, writes or starts a process: it checks permissions, reads the
 * first bytes of an existing file to learn its protection, and says what that protection protects against.
 */
public final class EncryptedFileProvider implements CredentialStoreProvider {
    /** The backend id. */
    public static final String ID = "encrypted-file";
    static final int PRIORITY = 2;
    private static final Pattern KIND = Pattern.compile("\"protection\":\\{\"kind\":\"([a-z-]{1,20})\"");

    /** For {@link java.util.ServiceLoader}. */
    public EncryptedFileProvider() {
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public Capabilities capabilities(BackendConfig config) {
        return new Capabilities(true, true, true, true, true);
    }

    @Override
    public Set<String> configKeys() {
        return StoreSettings.KEYS;
    }

    @Override
    public Availability probe(BackendConfig config) {
        StoreSettings s = StoreSettings.from(config);
        try {
            PrivateFiles.requirePrivateDirectory(s.path().getParent(), "encrypted file store directory", true);
            PrivateFiles.requirePrivateFile(s.path(), "encrypted file store");
            PrivateFiles.requireSafeChain(s.path().getParent(), s.home(), "encrypted file store directory");
        } catch (KeyringException e) {
            return Availability.unavailable(e.getMessage());
        }
        boolean exists = Files.exists(s.path());
        ProtectionKind kind;
        String why;
        if (exists) {
            kind = peekProtection(s.path());
            if (kind == null) {
                return Availability.available(PRIORITY, s.path() + " exists but its protection cannot be read (opening it will say why)");
            }
            if (s.configuredProtection().isPresent() && s.configuredProtection().get() != kind) {
                return Availability.unavailable(s.path() + " is protected by " + kind.id() + ", but encrypted-file.protection (from "
                        + s.protectionSource() + ") says " + s.configuredProtection().get().id());
            }
            why = "as the file says";
        } else if (s.configuredProtection().isPresent()) {
            kind = s.configuredProtection().get();
            why = "from " + s.protectionSource();
        } else {
            kind = defaultProtection(s);
            why = kind == ProtectionKind.SYSTEMD_CREDS ? "default: systemd-creds works for this user"
                    : "default: " + SystemdCreds.unusableReason(SystemdCreds.find(s.env()));
        }
        if (kind == ProtectionKind.PASSPHRASE && s.passphraseSource() == null) {
            return Availability.unavailable(s.path() + " is protected by a passphrase, but there is no PassphraseProvider and no "
                    + StoreSettings.PASSPHRASE_ENV);
        }
        if (kind == ProtectionKind.SYSTEMD_CREDS) {
            String reason = SystemdCreds.unusableReason(SystemdCreds.find(s.env()));
            if (reason != null) return Availability.unavailable(s.path() + " is protected by systemd-creds, but " + reason);
        }
        return Availability.available(PRIORITY, s.path() + (exists ? "" : " (created on first write)") + ", protection "
                + KeysetProtection.of(kind, s).describe() + " [" + why + "]; protects against " + kind.protectsAgainst());
    }

    @Override
    public CredentialStore open(BackendConfig config) {
        StoreSettings s = StoreSettings.from(config);
        return new EncryptedFileStore(s, defaultProtection(s));
    }

    /** systemd-creds where it works for this user (a cheap check, cached), else the key file. */
    static ProtectionKind defaultProtection(StoreSettings s) {
        return SystemdCreds.unusableReason(SystemdCreds.find(s.env())) == null ? ProtectionKind.SYSTEMD_CREDS : ProtectionKind.KEYFILE;
    }

    /** The protection named in the first bytes of a store file, or null. */
    static ProtectionKind peekProtection(Path file) {
        try (InputStream in = Files.newInputStream(file, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            String head = new String(in.readNBytes(256), StandardCharsets.US_ASCII);
            Matcher m = KIND.matcher(head);
            return m.find() ? ProtectionKind.parse(m.group(1)) : null;
        } catch (IOException e) {
            return null;
        }
    }
}
