package dev.keyring4j.etcd;

import dev.keyring4j.spi.BackendConfig;
import dev.keyring4j.spi.Candidate;
import dev.keyring4j.testkit.EtcdFixture;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/** etcd stores for tests: a private home (XDG dirs injected), a fresh prefix unless one is given, opened through the provider's probe. */
final class Stores {
    private Stores() {
    }

    static Map<String, String> env(Path home) {
        Map<String, String> env = new HashMap<>();
        env.put("HOME", home.toString());
        env.put("XDG_CONFIG_HOME", home.resolve("config").toString());
        env.put("PATH", System.getenv().getOrDefault("PATH", "/usr/bin:/bin"));
        return env;
    }

    static String freshPrefix() {
        return "/t/" + UUID.randomUUID() + "/";
    }

    /** The settings: endpoints of {@code etcd}, the key file under {@code home}, then {@code extra} pairs (which may override). */
    static BackendConfig config(EtcdFixture etcd, Path home, String prefix, String... extra) {
        Map<String, String> s = new HashMap<>();
        s.put("endpoints", etcd.endpoints());
        s.put("prefix", prefix);
        s.put("keyfile", home.resolve("config/keyring4j/etcd.key").toString());
        s.put("timeout", "PT3S");
        for (int i = 0; i + 1 < extra.length; i += 2) s.put(extra[i], extra[i + 1]);
        return BackendConfig.of(EtcdProvider.ID, s, env(home));
    }

    static EtcdStore open(BackendConfig config) {
        Candidate c = new EtcdProvider().probe(config);
        if (!c.availability().isAvailable()) throw new IllegalStateException("etcd not available: " + c.availability().reason());
        return (EtcdStore) c.open();
    }

    static EtcdStore open(EtcdFixture etcd, Path home, String prefix, String... extra) {
        return open(config(etcd, home, prefix, extra));
    }

    /** {@code set}, tried again every 200 ms while the cluster is unavailable (an election, members restarting), for up to 30 s. */
    static void setRetrying(EtcdStore s, String service, String account, String value) throws InterruptedException {
        long deadline = System.nanoTime() + java.time.Duration.ofSeconds(30).toNanos();
        while (true) {
            try {
                s.set(service, account, dev.keyring4j.Secret.of(value));
                return;
            } catch (dev.keyring4j.BackendUnavailableException e) {
                if (System.nanoTime() > deadline) throw e;
                Thread.sleep(200);
            }
        }
    }

    static List<String> args(String... a) {
        return List.of(a);
    }
}
