package dev.keyring4j.etcd;

import dev.keyring4j.CredentialStore;
import dev.keyring4j.Keyring;
import dev.keyring4j.KeyringConfig;
import dev.keyring4j.Secret;
import java.time.Duration;

/**
 * A second "host" for TwoHostsTest: a JVM of its own that opens the etcd store through
 * {@code Keyring.open(KeyringConfig)} with its own home and key file path, runs one operation and
 * prints the answer. Args: endpoints prefix keyfile op (set, get, delete) service account [value [ttl-seconds]].
 */
public final class EtcdPeer {
    private EtcdPeer() {
    }

    public static void main(String[] a) throws Exception {
        KeyringConfig config = KeyringConfig.builder().backend("etcd").set("etcd.endpoints", a[0]).set("etcd.prefix", a[1])
                .set("etcd.keyfile", a[2]).build();
        try (CredentialStore s = Keyring.open(config)) {
            switch (a[3]) {
                case "set" -> {
                    if (a.length > 7) s.set(a[4], a[5], Secret.of(a[6]), Duration.ofSeconds(Long.parseLong(a[7])));
                    else s.set(a[4], a[5], Secret.of(a[6]));
                    System.out.println("OK");
                }
                case "get" -> System.out.println(s.get(a[4], a[5]).map(x -> "VALUE " + x.asString()).orElse("ABSENT"));
                case "delete" -> System.out.println(s.delete(a[4], a[5]) ? "DELETED" : "ABSENT");
                default -> throw new IllegalArgumentException(a[3]);
            }
        }
    }
}
