package dev.keyring4j.systemdcreds;

import dev.keyring4j.Capabilities;
import dev.keyring4j.Credential;
import dev.keyring4j.CredentialEvent;
import dev.keyring4j.Subscription;
import dev.keyring4j.internal.CredentialWatcher;
import dev.keyring4j.internal.DirectoryWatch;
import java.util.function.Consumer;
import dev.keyring4j.CredentialId;
import dev.keyring4j.CredentialStore;
import dev.keyring4j.KeyringException;
import dev.keyring4j.ReadOnlyStoreException;
import dev.keyring4j.Secret;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Read-only credentials from systemd credential directories (see {@link CredentialName} for the
 * names and {@link CredentialSources} for the order). In every directory but a
 * {@code .encrypted} credstore, {@code NAME} is read as plain bytes and, failing that,
 * {@code NAME.cred} is decrypted; in a {@code .encrypted} credstore {@code NAME} is decrypted.
 * The first directory that has the credential answers. Stateless between calls, so thread-safe.
 *
 * <p>{@link #watch} puts an inotify watch ({@link java.nio.file.WatchService}) on every directory
 * the store reads (not on the files): a file written, replaced by rename or removed, and the
 * Kubernetes projected-volume swap (the {@code ..data} symbolic link renamed over atomically to a
 * new {@code ..<timestamp>} directory, which a watch on the file itself would miss) make it re-read
 * the watched credentials and fire for those whose value changed. A directory that did not exist
 * when the store was opened is not watched.
 */
final class SystemdCredentialStore implements CredentialStore {
    /** The account of a bare service credential without a {@code <service>.id} credential (as in the env backend). */
    static final String DEFAULT_ACCOUNT = "default";
    static final String ID_ACCOUNT = "id";

    private final CredentialSources sources;
    private final CredentialWatcher watcher;

    SystemdCredentialStore(CredentialSources sources) {
        this.sources = sources;
        this.watcher = new CredentialWatcher(SystemdCredentialsProvider.ID, CredentialWatcher.secretsOf(this), this::watchDirectories);
    }

    /** The directories read, in order (tests provision files there). */
    List<java.nio.file.Path> directories() {
        List<java.nio.file.Path> out = new ArrayList<>();
        for (CredentialDirectory d : sources.directories) out.add(d.path());
        return out;
    }

    @Override
    public Subscription watch(String service, String account, Consumer<CredentialEvent> listener) {
        CredentialName.of(service, account); // a name that cannot be mapped is refused, as get refuses it
        return watcher.watch(service, account, listener);
    }

    /** One directory watch per credential directory, while there is a subscription. */
    private AutoCloseable watchDirectories(CredentialWatcher w) throws java.io.IOException {
        List<AutoCloseable> handles = new ArrayList<>();
        try {
            for (CredentialDirectory d : sources.directories) handles.add(DirectoryWatch.watch(d.path(), name -> true, w::changed));
        } catch (java.io.IOException | RuntimeException e) {
            for (AutoCloseable h : handles) CredentialWatcher.stop(h, SystemdCredentialsProvider.ID);
            throw e;
        }
        return () -> handles.forEach(h -> CredentialWatcher.stop(h, SystemdCredentialsProvider.ID));
    }

    @Override
    public String id() {
        return SystemdCredentialsProvider.ID;
    }

    @Override
    public Capabilities capabilities() {
        return SystemdCredentialsProvider.CAPABILITIES;
    }

    @Override
    public Optional<Secret> get(String service, String account) {
        Optional<Secret> direct = read(CredentialName.of(service, account)).map(SystemdCredentialStore::secret);
        if (direct.isPresent()) return direct;
        // the service's own credential answers for its account only; decide that before reading it
        if (!serviceAccount(service).equals(account)) return Optional.empty();
        return serviceCredential(service).map(Credential::secret);
    }

    @Override
    public Optional<Credential> find(String service) {
        Optional<Credential> own = serviceCredential(service);
        if (own.isPresent()) return own;
        for (CredentialId id : list(service)) {
            Optional<Secret> s = get(id.service(), id.account());
            if (s.isPresent()) return Optional.of(new Credential(id.service(), id.account(), s.get()));
        }
        return Optional.empty();
    }

    /** The credential named just {@code esc(service)}, its account taken from {@code esc(service).id} (else {@code default}). */
    private Optional<Credential> serviceCredential(String service) {
        return read(CredentialName.ofService(service)).map(bytes -> {
            Secret secret = secret(bytes);
            return new Credential(service, serviceAccount(service), secret);
        });
    }

    private String serviceAccount(String service) {
        String idName;
        try {
            idName = CredentialName.of(service, ID_ACCOUNT);
        } catch (IllegalArgumentException tooLong) {
            return DEFAULT_ACCOUNT; // a name systemd cannot hold: no such credential can exist
        }
        return read(idName).map(bytes -> {
            int end = bytes.length;
            // written by `echo alice > file` more often than not
            if (end > 0 && bytes[end - 1] == '\n') end--;
            if (end > 0 && bytes[end - 1] == '\r') end--;
            return new String(bytes, 0, end, StandardCharsets.UTF_8);
        }).filter(s -> !s.isEmpty()).orElse(DEFAULT_ACCOUNT);
    }

    private static Secret secret(byte[] bytes) {
        Secret s = Secret.of(bytes);
        Arrays.fill(bytes, (byte) 0);
        return s;
    }

    /** The plaintext of credential {@code name} from the first directory that has it. */
    private Optional<byte[]> read(String name) {
        return locateFile(name).map(f -> {
            Optional<byte[]> content = f.dir().read(f.file(), f.limit());
            if (content.isEmpty()) return null; // removed since it was found: absent, as a moment later
            return f.encrypted() ? decrypt(name, content.get(), f.dir()) : content.get();
        });
    }

    /** Where credential {@code name} is read from: a file checked to be acceptable, and whether it is encrypted. */
    private record Found(CredentialDirectory dir, String file, int limit, boolean encrypted) {
    }

    /**
     * The first directory's file for credential {@code name}, checked as {@link #read} checks it but
     * not read; throws for a file that is there but refused (a device, a FIFO, an unsafe owner, too large).
     */
    private Optional<Found> locateFile(String name) {
        for (CredentialDirectory d : sources.directories) {
            if (d.encrypted()) {
                if (d.checked(name, ciphertextLimit()).isPresent()) return Optional.of(new Found(d, name, ciphertextLimit(), true));
                continue;
            }
            if (d.checked(name, sources.maxSize).isPresent()) return Optional.of(new Found(d, name, sources.maxSize, false));
            String encryptedFile = name + CredentialName.ENCRYPTED_SUFFIX;
            if (encryptedFile.length() > CredentialName.MAX_BYTES) continue; // no such file can exist
            if (d.checked(encryptedFile, ciphertextLimit()).isPresent()) {
                return Optional.of(new Found(d, encryptedFile, ciphertextLimit(), true));
            }
        }
        return Optional.empty();
    }

    /**
     * Whether {@link #get} would answer {@code id} rather than refuse it, judged without reading the
     * secret (a decryption that would fail is not foreseen): what {@link #list} may name.
     */
    private boolean readable(CredentialId id) {
        try {
            if (locateFile(CredentialName.of(id.service(), id.account())).isPresent()) return true;
            return serviceAccount(id.service()).equals(id.account()) && locateFile(CredentialName.ofService(id.service())).isPresent();
        } catch (KeyringException | IllegalArgumentException refused) {
            return false;
        }
    }

    /** An encrypted credential is Base64 with a header and tag: allow for that around the plaintext limit. */
    private int ciphertextLimit() {
        return (int) Math.min(Integer.MAX_VALUE - 16, sources.maxSize * 2L + 64 * 1024);
    }

    private byte[] decrypt(String name, byte[] ciphertext, CredentialDirectory d) {
        return sources.tool.decrypt(name, ciphertext, sources.maxSize, d.describe());
    }

    @Override
    public void set(String service, String account, Secret secret) {
        String name = CredentialName.of(service, account);
        throw new ReadOnlyStoreException("the systemd-creds backend is read-only: systemd provides credentials to a service,"
                + " the service cannot change them. To provide this one, encrypt it under the name '" + name + "' with"
                + " `systemd-creds encrypt --name=" + name + " - /etc/credstore.encrypted/" + name + "` (or"
                + " `keyring4j provision-systemd SERVICE ACCOUNT --out FILE`) and add `LoadCredentialEncrypted="
                + CredentialName.inUnitFile(name) + ":/etc/credstore.encrypted/" + CredentialName.inUnitFile(name)
                + "` to the unit's [Service] section; or configure a writable backend after this one");
    }

    /** Read-only like every other write: how to provision it, never "cannot expire". */
    @Override
    public void set(String service, String account, Secret secret, Duration ttl) {
        set(service, account, secret);
    }

    @Override
    public boolean delete(String service, String account) {
        String name = CredentialName.of(service, account);
        throw new ReadOnlyStoreException("the systemd-creds backend is read-only: to remove the credential '" + name
                + "', remove its LoadCredential=/LoadCredentialEncrypted=/SetCredential= line from the unit (or its file from"
                + " the credstore or secret directory) and restart the service");
    }

    @Override
    public List<CredentialId> list(String service) {
        CredentialName.ofService(service); // a service whose name cannot be mapped is refused, as get and find refuse it
        return ids(service::equals);
    }

    @Override
    public List<CredentialId> list() {
        return ids(s -> true);
    }

    private List<CredentialId> ids(Predicate<String> service) {
        Set<CredentialId> out = new LinkedHashSet<>();
        Set<String> withOwnCredential = new LinkedHashSet<>();
        for (CredentialDirectory d : sources.directories) {
            for (String file : d.fileNames()) {
                String name = !d.encrypted() && file.endsWith(CredentialName.ENCRYPTED_SUFFIX)
                        ? file.substring(0, file.length() - CredentialName.ENCRYPTED_SUFFIX.length()) : file;
                CredentialName.parse(name).filter(id -> service.test(id.service())).ifPresent(out::add);
                CredentialName.parseService(name).filter(service).ifPresent(withOwnCredential::add);
            }
        }
        List<CredentialId> ids = new ArrayList<>();
        for (String s : withOwnCredential) {
            try {
                ids.add(new CredentialId(s, serviceAccount(s)));
            } catch (KeyringException refusedId) {
                // its <service>.id is refused, so get refuses the service's credential too: not listed
            }
        }
        for (CredentialId id : out) {
            // <service>.id names the account of the service's own credential; it is not a credential of its own then
            if (id.account().equals(ID_ACCOUNT) && withOwnCredential.contains(id.service())) continue;
            if (!ids.contains(id)) ids.add(id);
        }
        // list agrees with get: a file get would refuse (a link to /dev/zero, a FIFO, an unsafe owner) is not listed
        ids.removeIf(id -> !readable(id));
        return List.copyOf(ids);
    }

    @Override
    public void close() {
        watcher.close(); // nothing else is held open between calls
    }

    @Override
    public String toString() {
        return "SystemdCredentialStore[" + sources.directories + "]";
    }
}
