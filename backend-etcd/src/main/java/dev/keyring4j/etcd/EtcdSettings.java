package dev.keyring4j.etcd;

import dev.keyring4j.ConfigurationException;
import dev.keyring4j.CredentialStore;
import dev.keyring4j.Keyring;
import dev.keyring4j.KeyringConfig;
import dev.keyring4j.Secret;
import dev.keyring4j.keyset.Argon2Params;
import dev.keyring4j.keyset.Header;
import dev.keyring4j.keyset.PassphraseProtection;
import dev.keyring4j.keyset.ProtectionKind;
import dev.keyring4j.keyset.ProtectionSettings;
import dev.keyring4j.spi.BackendConfig;
import dev.keyring4j.spi.Setting;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The resolved configuration of one etcd store: every {@code etcd.*} key is declared here once
 * ({@link #DECLARED}) and parsed by {@link #from}. The password is never a configuration value: it
 * is read from {@code etcd.password-file} or from another keyring4j store ({@code etcd.password-store}).
 */
record EtcdSettings(
        List<URI> endpoints,
        String prefix,
        Optional<String> user,
        Optional<Path> passwordFile,
        Optional<String> passwordStore,
        Optional<Path> tlsCa,
        Optional<Path> tlsCert,
        Optional<Path> tlsKey,
        Duration timeout,
        ProtectionKind protection,
        Path keyfilePath,
        Path home,
        Map<String, String> env) implements ProtectionSettings {

    static final Setting<List<String>> ENDPOINTS = Setting.list("endpoints", null,
            "the etcd members, a comma list of http:// or https:// URLs (the client fails over between them); the backend is used only when this is set");
    static final Setting<String> PREFIX = Setting.text("prefix", "/keyring4j/",
            "the key prefix under which this store keeps its keyset and entries (RBAC roles are granted on it)");
    static final Setting<String> USER = Setting.text("user", null, "the etcd user, when the cluster has authentication enabled");
    static final Setting<Path> PASSWORD_FILE = Setting.path("password-file", null,
            "a file holding the etcd user's password (one line); never put the password itself in the configuration");
    static final Setting<String> PASSWORD_STORE = Setting.text("password-store", null,
            "a keyring4j backend id or chain (not etcd) that holds the etcd user's password as the credential of service etcd, account etcd.user");
    static final Setting<Path> TLS_CA = Setting.path("tls.ca", null, "the CA certificate (PEM) the etcd servers' certificates are checked against");
    static final Setting<Path> TLS_CERT = Setting.path("tls.cert", null, "the client certificate (PEM), for clusters that require client certificates");
    static final Setting<Path> TLS_KEY = Setting.path("tls.key", null, "the client certificate's private key (PKCS#8 PEM)");
    static final Setting<Duration> TIMEOUT = Setting.duration("timeout", "PT5S",
            "how long one operation may take before it fails (no quorum, unreachable members)").map("duration", d -> {
                if (d.isNegative() || d.isZero()) throw new Setting.Invalid("a positive duration");
                return d;
            });
    static final Setting<ProtectionKind> PROTECTION = Setting.text("protection", "keyfile",
            "how the keyset is protected: keyfile (one key file deployed to every host of the fleet), passphrase, or systemd-creds (one host only)")
            .map("passphrase | systemd-creds | keyfile", v -> {
                ProtectionKind k = ProtectionKind.parse(v);
                if (k == null) throw new Setting.Invalid("one of passphrase, systemd-creds, keyfile");
                return k;
            });
    static final Setting<Path> KEYFILE = Setting.path("keyfile", null,
            "the key file of keyfile protection, created 0600 with a new keyset when absent (default ${XDG_CONFIG_HOME:-~/.config}/keyring4j/etcd.key)");
    static final List<Setting<?>> DECLARED = List.of(ENDPOINTS, PREFIX, USER, PASSWORD_FILE, PASSWORD_STORE, TLS_CA, TLS_CERT, TLS_KEY,
            TIMEOUT, PROTECTION, KEYFILE);

    /** Whether {@code etcd.endpoints} is set: without it the backend is never used. */
    static boolean configured(BackendConfig config) {
        return config.find(ENDPOINTS).filter(l -> !l.isEmpty()).isPresent();
    }

    static EtcdSettings from(BackendConfig config) {
        List<URI> endpoints = new ArrayList<>();
        for (String e : config.get(ENDPOINTS)) {
            URI u;
            try {
                u = URI.create(e);
            } catch (IllegalArgumentException x) {
                throw config.invalid(ENDPOINTS.key(), "http:// or https:// URLs, e.g. http://127.0.0.1:2379");
            }
            if (!("http".equals(u.getScheme()) || "https".equals(u.getScheme())) || u.getHost() == null || u.getPort() < 0) {
                throw config.invalid(ENDPOINTS.key(), "http:// or https:// URLs with host and port, e.g. http://127.0.0.1:2379");
            }
            endpoints.add(u);
        }
        String prefix = config.get(PREFIX);
        if (prefix.isEmpty()) throw config.invalid(PREFIX.key(), "a non-empty key prefix such as /keyring4j/");
        Optional<String> user = config.find(USER).filter(s -> !s.isEmpty());
        Optional<Path> passwordFile = config.find(PASSWORD_FILE).filter(p -> !p.toString().isEmpty());
        Optional<String> passwordStore = config.find(PASSWORD_STORE).filter(s -> !s.isBlank());
        if (user.isPresent() && passwordFile.isEmpty() && passwordStore.isEmpty()) {
            throw new ConfigurationException("configuration etcd.user (from " + config.source(USER.key()) + ") needs its password:"
                    + " set etcd.password-file or etcd.password-store (the password itself is never read from the configuration)");
        }
        if (passwordStore.isPresent() && passwordStore.get().contains(EtcdProvider.ID)) {
            throw config.invalid(PASSWORD_STORE.key(), "another backend than etcd (the password must be readable before etcd is)");
        }
        Optional<Path> ca = config.find(TLS_CA).filter(p -> !p.toString().isEmpty());
        Optional<Path> cert = config.find(TLS_CERT).filter(p -> !p.toString().isEmpty());
        Optional<Path> key = config.find(TLS_KEY).filter(p -> !p.toString().isEmpty());
        if (cert.isPresent() != key.isPresent()) {
            throw new ConfigurationException("etcd.tls.cert and etcd.tls.key go together: set both for a client certificate, or neither");
        }
        boolean https = endpoints.stream().anyMatch(u -> "https".equals(u.getScheme()));
        if ((ca.isPresent() || cert.isPresent()) && !https) {
            throw new ConfigurationException("etcd.tls.* is set but etcd.endpoints (from " + config.source(ENDPOINTS.key())
                    + ") has no https:// URL: use https:// endpoints with TLS");
        }
        Path keyfile = config.find(KEYFILE).filter(p -> !p.toString().isEmpty())
                .orElseGet(() -> config.xdgConfigHome().resolve("keyring4j").resolve("etcd.key")).toAbsolutePath().normalize();
        return new EtcdSettings(List.copyOf(endpoints), prefix, user, passwordFile, passwordStore, ca, cert, key, config.get(TIMEOUT),
                config.get(PROTECTION), keyfile, config.home(), config.env());
    }

    /** The endpoints as configured, for messages. */
    String endpointList() {
        return String.join(",", endpoints.stream().map(URI::toString).toList());
    }

    /** The etcd user's password, read now from its file or store (the caller wipes it); empty without a user. */
    Optional<byte[]> password() {
        if (user.isEmpty()) return Optional.empty();
        if (passwordFile.isPresent()) {
            Path p = passwordFile.get();
            byte[] b;
            try {
                if (Files.size(p) > 4096) throw new ConfigurationException("etcd.password-file " + p + " is larger than 4 KiB: it must hold the password alone");
                b = Files.readAllBytes(p);
            } catch (IOException e) {
                throw new ConfigurationException("cannot read etcd.password-file " + p + ": " + e.getMessage(), e);
            }
            int n = b.length;
            while (n > 0 && (b[n - 1] == '\n' || b[n - 1] == '\r')) n--;
            byte[] out = Arrays.copyOf(b, n);
            Arrays.fill(b, (byte) 0);
            return Optional.of(out);
        }
        // the same environment as this backend's (injected, not necessarily the process's)
        try (CredentialStore s = Keyring.open(KeyringConfig.builder().backend(passwordStore.get()).environment(env).build())) {
            Secret secret = s.get(EtcdProvider.ID, user.get()).orElseThrow(() -> new ConfigurationException("etcd.password-store "
                    + passwordStore.get() + " holds no credential (service etcd, account " + user.get() + "): store the etcd password there,"
                    + " e.g. keyring4j --backend " + passwordStore.get() + " set etcd " + user.get()));
            try (secret) {
                return Optional.of(secret.asBytes());
            }
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new ConfigurationException("cannot read the etcd password from " + passwordStore.get() + ": " + e.getMessage(), e);
        }
    }

    // ProtectionSettings: the keyset's protection, the same code as the encrypted file's

    @Override
    public String where() {
        return "etcd store " + prefix + " at " + endpointList();
    }

    @Override
    public Argon2Params argon2() {
        return Argon2Params.DEFAULT;
    }

    @Override
    public Duration unsealTimeout() {
        return timeout.compareTo(Duration.ofSeconds(10)) > 0 ? timeout : Duration.ofSeconds(10);
    }

    @Override
    public String unsealTimeoutKey() {
        return "etcd.timeout";
    }

    @Override
    public Path keyfile(Header h) {
        return keyfilePath;
    }

    @Override
    public String keyfileDescription() {
        return keyfilePath.toString();
    }

    @Override
    public String keyfileKey() {
        return "etcd.keyfile";
    }

    @Override
    public char[] passphrase(boolean create) {
        String p = env.get(PassphraseProtection.PASSPHRASE_ENV);
        return p == null ? null : p.toCharArray();
    }

    @Override
    public String passphraseSource() {
        return env.containsKey(PassphraseProtection.PASSPHRASE_ENV) ? "$" + PassphraseProtection.PASSPHRASE_ENV : null;
    }

    @Override
    public String passphraseHint() {
        return "set " + PassphraseProtection.PASSPHRASE_ENV;
    }

    @Override
    public String toString() {
        return "EtcdSettings[" + endpointList() + " " + prefix + "]";
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
