package dev.keyring4j.kernel;

import dev.keyring4j.Capabilities;
import dev.keyring4j.Capabilities.Flag;
import dev.keyring4j.spi.Availability;
import dev.keyring4j.spi.BackendConfig;
import dev.keyring4j.spi.Candidate;
import dev.keyring4j.spi.CredentialStoreProvider;
import dev.keyring4j.spi.Setting;
import java.util.Arrays;
import java.util.List;

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
 * reboot. Priority 5. The probe parses the settings and asks the kernel once, with read-only calls;
 * opening its candidate builds the store from what the probe parsed, without asking again.
 */
public final class KernelKeyringProvider implements CredentialStoreProvider {
    /** Default priority (docs/DESIGN.md): below the Secret Service, above the encrypted file. */
    static final int PRIORITY = 5;
    /** Writable with native expiry and listable; kept in kernel memory only, so neither persistent nor encrypted at rest. */
    static final Capabilities CAPABILITIES = Capabilities.of(Flag.WRITABLE, Flag.EXPIRY, Flag.LISTABLE, Flag.WATCHABLE);
    /** How often a watch reads the watched keys again (docs/watch.md): the kernel here sends no key notifications to keyring4j. */
    static final Setting<java.time.Duration> WATCH_INTERVAL = Setting.duration("watch-interval", "PT5S",
            "how often CredentialStore.watch reads the watched keys again to see changes (keys have no change notification keyring4j uses)");

    private static final Setting<String> KEYRING_NAME = Setting.choice("keyring", "user",
            Arrays.stream(KernelTarget.values()).map(KernelTarget::configName).toList(), "the keyring the namespace keyring hangs from");
    static final Setting<KernelTarget> KEYRING = KEYRING_NAME.map(KEYRING_NAME.type(), KernelTarget::parse);
    static final Setting<String> NAMESPACE = Setting.text("namespace", "keyring4j",
                    "the namespace keyring's description (no NUL, at most 4095 bytes of UTF-8); separates applications or test runs")
            .map("a name", KernelKeyringProvider::namespace);

    /** For {@link java.util.ServiceLoader}. */
    public KernelKeyringProvider() {
    }

    @Override
    public String id() {
        return "kernel";
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
        return List.of(KEYRING, NAMESPACE, WATCH_INTERVAL);
    }

    @Override
    public Candidate probe(BackendConfig config) {
        KernelTarget target = config.get(KEYRING);
        String namespace = config.get(NAMESPACE);
        java.time.Duration interval = config.get(WATCH_INTERVAL);
        if (interval.isNegative() || interval.isZero()) {
            throw config.invalid("watch-interval", "a positive duration, e.g. PT5S");
        }
        if (KeyctlSyscalls.UNSUPPORTED != null) return Candidate.without(Availability.unavailable(KeyctlSyscalls.UNSUPPORTED), CAPABILITIES);
        config.startProbeClock(); // the syscalls are bound (JNA loaded): from here on the kernel is being asked
        // read-only checks: nothing is created (create=0), nothing linked
        long r = target == KernelTarget.PERSISTENT
                ? KeyctlSyscalls.keyctl(KeyctlSyscalls.GET_PERSISTENT, -1, 0, 0, 0)
                : KeyctlSyscalls.keyctl(KeyctlSyscalls.GET_KEYRING_ID, target.specialId, 0, 0, 0);
        int errno = r < 0 ? (int) -r : 0;
        if (errno == KeyctlSyscalls.ENOSYS || errno == KeyctlSyscalls.EPERM) {
            return Candidate.without(Availability.unavailable("the keyctl system call is blocked here (" + KeyctlSyscalls.errnoName(errno)
                    + "): a seccomp filter such as a container's default profile denies the kernel keyring"), CAPABILITIES);
        }
        if (errno == KeyctlSyscalls.EOPNOTSUPP) {
            return Candidate.without(Availability.unavailable(target == KernelTarget.PERSISTENT
                    ? "this kernel has no persistent keyrings (CONFIG_PERSISTENT_KEYRINGS); use kernel.keyring=user"
                    : "the kernel refused keyctl (EOPNOTSUPP): keyring syscalls are filtered here"), CAPABILITIES);
        }
        return Candidate.of(Availability.available(PRIORITY, target.configName() + " keyring, namespace keyring '" + namespace + "'"
                + ", not persistent across reboots"), CAPABILITIES, () -> new KernelKeyStore(target, namespace, interval))
                .watchedBy(watchMechanism(interval));
    }

    /** What diagnose says about watching: the poll, and why it is a poll. */
    static String watchMechanism(java.time.Duration interval) {
        String why = KeyctlSyscalls.notificationPipeUnavailable();
        return "polls every " + KernelKeyStore.describe(interval) + " (kernel.watch-interval); "
                + (why != null ? "no key notifications: " + why
                        : "this kernel has key notifications (pipe2(O_NOTIFICATION_PIPE) works), which keyring4j does not use yet");
    }

    /** A namespace the kernel can hold as a keyring description, else what is expected. */
    private static String namespace(String ns) {
        try {
            NameCodec.name("namespace", ns);
        } catch (IllegalArgumentException e) {
            throw new Setting.Invalid("a non-empty name without NUL, at most 4095 bytes in UTF-8");
        }
        return ns;
    }
}
