package dev.keyring4j.systemdcreds;

import dev.keyring4j.Capabilities;
import dev.keyring4j.Credential;
import dev.keyring4j.CredentialId;
import dev.keyring4j.CredentialStore;
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
 */
final class SystemdCredentialStore implements CredentialStore {
    /** The account of a bare service credential without a {@code <service>.id} credential (as in the env backend). */
    static final String DEFAULT_ACCOUNT = "default";
    static final String ID_ACCOUNT = "id";

    private final CredentialSources sources;

    SystemdCredentialStore(CredentialSources sources) {
        this.sources = sources;
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
        for (CredentialDirectory d : sources.directories) {
            if (d.encrypted()) {
                Optional<byte[]> c = d.read(name, ciphertextLimit());
                if (c.isPresent()) return Optional.of(decrypt(name, c.get(), d));
                continue;
            }
            Optional<byte[]> plain = d.read(name, sources.maxSize);
            if (plain.isPresent()) return plain;
            String encryptedFile = name + CredentialName.ENCRYPTED_SUFFIX;
            if (encryptedFile.length() > CredentialName.MAX_BYTES) continue; // no such file can exist
            Optional<byte[]> c = d.read(encryptedFile, ciphertextLimit());
            if (c.isPresent()) return Optional.of(decrypt(name, c.get(), d));
        }
        return Optional.empty();
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
        for (String s : withOwnCredential) ids.add(new CredentialId(s, serviceAccount(s)));
        for (CredentialId id : out) {
            // <service>.id names the account of the service's own credential; it is not a credential of its own then
            if (id.account().equals(ID_ACCOUNT) && withOwnCredential.contains(id.service())) continue;
            if (!ids.contains(id)) ids.add(id);
        }
        return List.copyOf(ids);
    }

    @Override
    public void close() {
        // nothing is held open between calls
    }

    @Override
    public String toString() {
        return "SystemdCredentialStore[" + sources.directories + "]";
    }
}
