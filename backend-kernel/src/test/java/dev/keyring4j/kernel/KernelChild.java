package dev.keyring4j.kernel;

import dev.keyring4j.AccessDeniedException;
import dev.keyring4j.KeyringException;
import dev.keyring4j.QuotaExceededException;
import dev.keyring4j.Secret;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Optional;

/**
 * The separately started process the kernel tests launch: a second JVM of the same user (or of an
 * unprivileged one) doing one job and printing what it saw, one {@code key=value} per line.
 */
public final class KernelChild {
    private KernelChild() {
    }

    public static void main(String[] args) throws Exception {
        switch (args[0]) {
            case "read" -> read(args[1], args[2], args[3], Integer.parseInt(args[4]), Integer.parseInt(args[5]));
            case "quota" -> quota(args[1]);
            case "race" -> race(args[1], Path.of(args[2]), args[3], Integer.parseInt(args[4]));
            default -> throw new IllegalArgumentException(args[0]);
        }
    }

    /**
     * Run in a fresh session keyring: reads keyring4j's key by id without possessing it, tries the
     * same on a key that has the kernel's default permissions, then reads through the store.
     */
    static void read(String namespace, String service, String account, int keyId, int defaultPermKeyId) {
        KeyctlSyscalls.Read direct = KeyctlSyscalls.read(keyId);
        System.out.println("direct=" + (direct.ok() ? HexFormat.of().formatHex(direct.bytes()) : "errno:" + direct.errno()));
        KeyctlSyscalls.Read control = KeyctlSyscalls.read(defaultPermKeyId);
        System.out.println("control=" + (control.ok() ? "readable" : "errno:" + control.errno()));
        // the errno mapping for a denial: AccessDeniedException, never "absent"
        try (KernelKeyStore store = KernelFixture.open(namespace)) {
            Optional<Secret> s = store.get(service, account);
            System.out.println("store=" + s.map(x -> HexFormat.of().formatHex(x.asBytes())).orElse("absent"));
            try {
                store.get(service, "default-perms");
                System.out.println("storeControl=no exception");
            } catch (AccessDeniedException e) {
                System.out.println("storeControl=AccessDeniedException");
            }
        }
    }

    /** As an unprivileged user with the default quota: fill it, then check nothing earlier was harmed. */
    static void quota(String namespace) {
        byte[] value = new byte[1500];
        Arrays.fill(value, (byte) 'q');
        try (KernelKeyStore store = KernelFixture.open(namespace)) {
            int stored = 0;
            QuotaExceededException refused = null;
            try {
                store.set("quota", "first", Secret.of("small first value"));
                for (int i = 0; i < 1000; i++) {
                    value[0] = (byte) ('a' + i % 26);
                    store.set("quota", "k" + i, Secret.of(value));
                    stored++;
                }
            } catch (QuotaExceededException e) {
                refused = e;
            }
            System.out.println("stored=" + stored);
            System.out.println("exception=" + (refused == null ? "none" : refused.getClass().getSimpleName()));
            System.out.println("message=" + (refused == null ? "" : refused.getMessage().replace('\n', ' ')));
            // an overwrite that would grow past the quota keeps the old value too
            String overwrite;
            try {
                store.set("quota", "first", Secret.of(new byte[EntryKind.USER_MAX]));
                overwrite = "stored";
            } catch (QuotaExceededException e) {
                overwrite = "QuotaExceededException";
            }
            System.out.println("overwrite=" + overwrite);
            boolean intact = store.get("quota", "first").map(Secret::asString).orElse("").equals("small first value");
            for (int i = 0; i < stored; i++) {
                value[0] = (byte) ('a' + i % 26);
                byte[] want = value.clone();
                intact &= store.get("quota", "k" + i).map(s -> Arrays.equals(s.asBytes(), want)).orElse(false);
            }
            System.out.println("intact=" + intact);
            KernelFixture.removeNamespace(namespace);
        }
    }

    /** Waits for {@code start}, then writes {@code rounds} services, each freshly created by whichever process comes first. */
    static void race(String namespace, Path start, String tag, int rounds) throws Exception {
        try (KernelKeyStore store = KernelFixture.open(namespace)) {
            while (!Files.exists(start)) Thread.onSpinWait();
            for (int i = 0; i < rounds; i++) {
                store.set("race" + i, tag, Secret.of(tag + i));
            }
            System.out.println("done=" + tag);
        } catch (KeyringException e) {
            System.out.println("failed=" + e.getMessage());
        }
        System.out.flush();
    }

    static String utf8(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
