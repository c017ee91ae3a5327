package dev.keyring4j.kernel;

import dev.keyring4j.BackendUnavailableException;
import dev.keyring4j.Capabilities;
import dev.keyring4j.CredentialStore;
import dev.keyring4j.spi.Availability;
import dev.keyring4j.spi.BackendConfig;
import dev.keyring4j.spi.CredentialStoreProvider;
import java.util.Set;

/**
 * The {@code kernel} backend: credentials in the Linux kernel key retention service, reached with
 * the {@code add_key}/{@code keyctl} system calls through JNA (no libkeyutils needed), on x86_64
 * and aarch64.
 *
 * <p>Layout, visible with {@code keyctl show}: {@code <target keyring> → <namespace> (keyring) →
 * <service> (keyring) → <account> (user key holding the secret)}. Configuration:
 * {@code kernel.keyring} = {@code process | session | user | persistent} (default {@code user}),
 * {@code kernel.namespace} (default {@code keyring4j}).
 *
 * <p>Guarantees: every key and keyring it creates is readable by the owning user's processes and
 * by no other user, even one whose process possesses them (user: view, read, write, search, link,
 * setattr; possessor, group and other: nothing); a namespace or service keyring owned by another
 * user is refused, never used; {@code set(…, ttl)} uses the kernel's own expiry, and expired or revoked keys
 * read as absent; a denial ({@code EACCES}/{@code EPERM}) is an
 * {@link dev.keyring4j.AccessDeniedException}, never "absent"; a full quota is a
 * {@link dev.keyring4j.QuotaExceededException} and leaves earlier keys intact. Nothing survives a
 * reboot. Priority 5.
 */
public final class KernelKeyringProvider implements CredentialStoreProvider {
    /** Default priority (docs/DESIGN.md): below the Secret Service, above the encrypted file. */
    static final int PRIORITY = 5;
    static final String DEFAULT_NAMESPACE = "keyring4j";

    /** For {@link java.util.ServiceLoader}. */
    public KernelKeyringProvider() {
    }

    @Override
    public String id() {
        return "kernel";
    }

    @Override
    public Capabilities capabilities(BackendConfig config) {
        return new Capabilities(true, false, false, true, true);
    }

    @Override
    public Set<String> configKeys() {
        return Set.of("keyring", "namespace");
    }

    @Override
    public Availability probe(BackendConfig config) {
        KernelTarget target = target(config);
        String namespace = namespace(config);
        if (KeyctlSyscalls.UNSUPPORTED != null) return Availability.unavailable(KeyctlSyscalls.UNSUPPORTED);
        // read-only checks: nothing is created (create=0), nothing linked
        long r = target == KernelTarget.PERSISTENT
                ? KeyctlSyscalls.keyctl(KeyctlSyscalls.GET_PERSISTENT, -1, 0, 0, 0)
                : KeyctlSyscalls.keyctl(KeyctlSyscalls.GET_KEYRING_ID, target.specialId, 0, 0, 0);
        int errno = r < 0 ? (int) -r : 0;
        if (errno == KeyctlSyscalls.ENOSYS || errno == KeyctlSyscalls.EPERM) {
            return Availability.unavailable("the keyctl system call is blocked here (" + KeyctlSyscalls.errnoName(errno)
                    + "): a seccomp filter such as a container's default profile denies the kernel keyring");
        }
        if (errno == KeyctlSyscalls.EOPNOTSUPP) {
            return Availability.unavailable(target == KernelTarget.PERSISTENT
                    ? "this kernel has no persistent keyrings (CONFIG_PERSISTENT_KEYRINGS); use kernel.keyring=user"
                    : "the kernel refused keyctl (EOPNOTSUPP): keyring syscalls are filtered here");
        }
        return Availability.available(PRIORITY, target.configName() + " keyring, namespace keyring '" + namespace + "'"
                + ", not persistent across reboots");
    }

    @Override
    public CredentialStore open(BackendConfig config) {
        Availability a = probe(config);
        if (!a.isAvailable()) throw new BackendUnavailableException("the kernel keyring cannot be used: " + a.reason());
        return new KernelKeyStore(target(config), namespace(config));
    }

    private static KernelTarget target(BackendConfig config) {
        KernelTarget t = KernelTarget.parse(config.get("keyring", "user"));
        if (t == null) throw config.invalid("keyring", "one of process, session, user, persistent");
        return t;
    }

    private static String namespace(BackendConfig config) {
        String ns = config.get("namespace", DEFAULT_NAMESPACE).trim();
        try {
            NameCodec.name("namespace", ns);
        } catch (IllegalArgumentException e) {
            throw config.invalid("namespace", "a non-empty name without NUL, at most 4095 bytes in UTF-8");
        }
        return ns;
    }
}
