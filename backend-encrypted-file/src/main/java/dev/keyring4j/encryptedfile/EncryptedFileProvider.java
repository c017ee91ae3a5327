package dev.keyring4j.encryptedfile;

import dev.keyring4j.keyset.ProtectionKind;
import dev.keyring4j.keyset.KeysetProtection;
import dev.keyring4j.keyset.PrivateFiles;

import dev.keyring4j.Capabilities;
import dev.keyring4j.KeyringException;
import dev.keyring4j.spi.Availability;
import dev.keyring4j.spi.BackendConfig;
import dev.keyring4j.spi.Candidate;
import dev.keyring4j.spi.CredentialStoreProvider;
import dev.keyring4j.spi.Setting;
import dev.keyring4j.support.SystemdCredsRunner;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Provides the {@code encrypted-file} backend (priority 2): {@link EncryptedFileStore}. Its settings
 * ({@code encrypted-file.path}, {@code protection}, {@code keyfile}, {@code argon2.memory},
 * {@code argon2.iterations}, {@code argon2.parallelism}, {@code unseal-timeout},
 * {@code accept-rollback}) are declared once, in {@link #settings()}.
 *
 * <p>{@link #probe} never prompts, writes or starts a process: it parses the settings, checks
 * permissions, reads the first bytes of an existing file to learn its protection, and says what that
 * protection protects against. The store it opens is built from exactly what the probe parsed.
 */
public final class EncryptedFileProvider implements CredentialStoreProvider {
    /** The backend id. */
    public static final String ID = "encrypted-file";
    static final int PRIORITY = 2;
    /** Writable, persistent, encrypted, with expiry (entries carry their own), listable and watchable (inotify on its directory). */
    static final Capabilities CAPABILITIES = Capabilities.of(Capabilities.Flag.WRITABLE, Capabilities.Flag.PERSISTENT,
            Capabilities.Flag.ENCRYPTED_AT_REST, Capabilities.Flag.EXPIRY, Capabilities.Flag.LISTABLE, Capabilities.Flag.WATCHABLE);
    private static final Pattern KIND = Pattern.compile("\"protection\":\\{\"kind\":\"([a-z-]{1,20})\"");

    /** For {@link java.util.ServiceLoader}. */
    public EncryptedFileProvider() {
    }

    @Override
    public String id() {
        return ID;
    }

    @Override
    public Capabilities capabilities() {
        return CAPABILITIES;
    }

    @Override
    public int priority() {
        return PRIORITY;
    }

    @Override
    public List<Setting<?>> settings() {
        return StoreSettings.DECLARED;
    }

    @Override
    public Candidate probe(BackendConfig config) {
        StoreSettings s = StoreSettings.from(config);
        config.startProbeClock(); // from here on, the file system is asked
        try {
            PrivateFiles.requirePrivateDirectory(s.path().getParent(), "encrypted file store directory", true);
            PrivateFiles.requirePrivateFile(s.path(), "encrypted file store");
            PrivateFiles.requireSafeChain(s.path().getParent(), s.home(), "encrypted file store directory");
        } catch (KeyringException e) {
            return unavailable(e.getMessage());
        }
        boolean exists = Files.exists(s.path());
        // only a store without a file (and without a configured protection) uses the default: learn it once, here
        ProtectionKind fallback = s.configuredProtection().isPresent() ? null : defaultProtection(s);
        ProtectionKind kind;
        String why;
        if (exists) {
            kind = peekProtection(s.path());
            if (kind == null) {
                return available(s, fallback, s.path() + " exists but its protection cannot be read (opening it will say why)");
            }
            if (s.configuredProtection().isPresent() && s.configuredProtection().get() != kind) {
                return unavailable(s.path() + " is protected by " + kind.id() + ", but encrypted-file.protection (from "
                        + s.protectionSource() + ") says " + s.configuredProtection().get().id());
            }
            why = "as the file says";
        } else if (s.configuredProtection().isPresent()) {
            kind = s.configuredProtection().get();
            why = "from " + s.protectionSource();
        } else {
            kind = fallback;
            why = kind == ProtectionKind.SYSTEMD_CREDS ? "default: systemd-creds works for this user"
                    : "default: " + SystemdCredsRunner.unusableReason(SystemdCredsRunner.find(s.env()));
        }
        if (kind == ProtectionKind.PASSPHRASE && s.passphraseSource() == null) {
            return unavailable(s.path() + " is protected by a passphrase, but there is no PassphraseProvider and no "
                    + StoreSettings.PASSPHRASE_ENV);
        }
        if (kind == ProtectionKind.SYSTEMD_CREDS) {
            String reason = SystemdCredsRunner.unusableReason(SystemdCredsRunner.find(s.env()));
            if (reason != null) return unavailable(s.path() + " is protected by systemd-creds, but " + reason);
        }
        return available(s, fallback, s.path() + (exists ? "" : " (created on first write)") + ", protection "
                + KeysetProtection.of(kind, s).describe() + " [" + why + "]; protects against " + kind.protectsAgainst());
    }

    /** The store opens with the settings and default protection the probe found. */
    private static Candidate available(StoreSettings s, ProtectionKind fallback, String reason) {
        return Candidate.of(Availability.available(PRIORITY, reason), CAPABILITIES, () -> new EncryptedFileStore(s, fallback))
                .watchedBy("inotify on " + s.path().getParent() + " (the file and its journal), debounced 50 ms");
    }

    private static Candidate unavailable(String reason) {
        return Candidate.without(Availability.unavailable(reason), CAPABILITIES);
    }

    /** systemd-creds where it works for this user (a cheap check, cached), else the key file. */
    static ProtectionKind defaultProtection(StoreSettings s) {
        return SystemdCredsRunner.unusableReason(SystemdCredsRunner.find(s.env())) == null ? ProtectionKind.SYSTEMD_CREDS : ProtectionKind.KEYFILE;
    }

    /**
     * The protection named in the first bytes of a store file, or null. Only the first 256 bytes are
     * read, and only after {@code probe} checked with {@code PrivateFiles.requirePrivateFile} that it
     * is a regular file (never a FIFO that would block the open).
     */
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
