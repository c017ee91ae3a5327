package dev.keyring4j.env;

import dev.keyring4j.CredentialId;
import dev.keyring4j.CredentialStore;
import dev.keyring4j.Capabilities;
import dev.keyring4j.KeyringException;
import dev.keyring4j.ReadOnlyStoreException;
import dev.keyring4j.Credential;
import dev.keyring4j.Secret;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Read-only credentials from environment variables.
 *
 * <ul>
 * <li>{@code get(service, account)} reads {@code <prefix>_<service>_<account>} (see {@link EnvNames}),
 *     lowercase spelling first, then UPPERCASE.</li>
 * <li>{@code NAME_FILE} instead of {@code NAME} names a file holding the value (the container
 *     convention); one trailing newline is removed. Setting both is an error, not a guess.</li>
 * <li>{@code <prefix>_<service>} holds a token whose account is the value of
 *     {@code <prefix>_<service>_ID} (or {@code default} without one): {@code find(service)} returns
 *     it, and {@code get(service, thatAccount)} reads it when no per-account variable exists.</li>
 * </ul>
 * The environment is the one given at open (injected, so tests never touch the process's).
 */
final class EnvStore implements CredentialStore {
    private static final long MAX_FILE_BYTES = 1 << 20;

    private final EnvNames names;
    private final Map<String, String> env;

    EnvStore(EnvNames names, Map<String, String> env) {
        this.names = names;
        this.env = Map.copyOf(env);
    }

    @Override
    public String id() {
        return "env";
    }

    @Override
    public Capabilities capabilities() {
        return EnvProvider.CAPABILITIES;
    }

    @Override
    public Optional<Secret> get(String service, String account) {
        CredentialId id = new CredentialId(service, account);
        Optional<Secret> direct = read(names.variable(id));
        if (direct.isPresent()) return direct;
        return serviceToken(service).filter(c -> c.account().equals(account)).map(Credential::secret);
    }

    @Override
    public Optional<Credential> find(String service) {
        new CredentialId(service, "-");
        Optional<Credential> token = serviceToken(service);
        if (token.isPresent()) return token;
        for (CredentialId id : list(service)) {
            Optional<Secret> s = get(id.service(), id.account());
            if (s.isPresent()) return Optional.of(new Credential(id.service(), id.account(), s.get()));
        }
        return Optional.empty();
    }

    /** The bare {@code <prefix>_<service>} token with its account from {@code _ID}. */
    private Optional<Credential> serviceToken(String service) {
        String base = names.serviceVariable(service);
        return read(base).map(secret -> {
            String account = plain(base + EnvNames.ID_SUFFIX).filter(s -> !s.isEmpty()).orElse(EnvNames.DEFAULT_ACCOUNT);
            return new Credential(service, account, secret);
        });
    }

    private Optional<String> plain(String variable) {
        for (String name : EnvNames.spellings(variable)) {
            String v = env.get(name);
            if (v != null) return Optional.of(v);
        }
        return Optional.empty();
    }

    /** The value of the first spelling that is set, as the variable or through {@code _FILE}. */
    private Optional<Secret> read(String variable) {
        for (String name : EnvNames.spellings(variable)) {
            String value = env.get(name);
            String fileName = name + (name.equals(name.toLowerCase(Locale.ROOT)) ? EnvNames.FILE_SUFFIX.toLowerCase(Locale.ROOT) : EnvNames.FILE_SUFFIX);
            String file = env.get(fileName);
            if (value != null && file != null) {
                throw new KeyringException("both " + name + " and " + fileName + " are set; unset one of them so the value is not a guess");
            }
            if (value != null) return Optional.of(Secret.of(value));
            if (file != null) return Optional.of(readFile(fileName, file));
        }
        return Optional.empty();
    }

    private static Secret readFile(String variable, String file) {
        Path path = Path.of(file);
        try {
            long size = Files.size(path);
            if (size > MAX_FILE_BYTES) {
                throw new KeyringException(variable + " names " + path + " of " + size + " bytes, over the 1 MiB limit for a secret file");
            }
            byte[] bytes = Files.readAllBytes(path);
            int end = bytes.length;
            if (end > 0 && bytes[end - 1] == '\n') end--;
            if (end > 0 && bytes[end - 1] == '\r') end--;
            Secret s = Secret.of(java.util.Arrays.copyOf(bytes, end));
            java.util.Arrays.fill(bytes, (byte) 0);
            return s;
        } catch (IOException e) {
            // not "absent": the variable says a secret exists, and we could not read it
            throw new KeyringException(variable + " names " + path + ", which cannot be read (" + e.getClass().getSimpleName()
                    + "); fix the path or its permissions", e);
        }
    }

    @Override
    public void set(String service, String account, Secret secret) {
        new CredentialId(service, account);
        throw readOnly("store");
    }

    @Override
    public boolean delete(String service, String account) {
        new CredentialId(service, account);
        throw readOnly("delete");
    }

    private ReadOnlyStoreException readOnly(String what) {
        return new ReadOnlyStoreException("the env backend is read-only and cannot " + what
                + " credentials; set the variable " + names.prefix() + "_<service>_<account> (or ..._FILE) in the environment,"
                + " or configure a writable backend");
    }

    @Override
    public List<CredentialId> list(String service) {
        new CredentialId(service, "-");
        Set<CredentialId> out = new LinkedHashSet<>();
        serviceToken(service).ifPresent(c -> out.add(c.id()));
        String base = names.serviceVariable(service);
        for (String spelling : EnvNames.spellings(base + "_")) {
            for (String name : env.keySet()) {
                if (!name.startsWith(spelling) || name.length() == spelling.length()) continue;
                boolean lower = spelling.equals(spelling.toLowerCase(Locale.ROOT));
                String account = name.substring(spelling.length());
                if (!account.equals(lower ? account.toLowerCase(Locale.ROOT) : account.toUpperCase(Locale.ROOT))) continue;
                String suffixFile = lower ? "_file" : EnvNames.FILE_SUFFIX;
                String suffixId = lower ? "_id" : EnvNames.ID_SUFFIX;
                if (account.endsWith(suffixFile) && account.length() > suffixFile.length()) {
                    account = account.substring(0, account.length() - suffixFile.length());
                } else if (account.equals(suffixId.substring(1)) || account.equals(suffixFile.substring(1))) {
                    continue; // the token's id, or the token's file
                }
                out.add(new CredentialId(service, account.toLowerCase(Locale.ROOT)));
            }
        }
        return new ArrayList<>(out);
    }

    /**
     * Every credential variable under the prefix, split as {@code <service>_<account>} at the first
     * underscore that leaves both parts non-empty (the mapping cannot recover underscores in
     * service names; any split names the same variable, so {@code get} of a listed id reads it).
     */
    @Override
    public List<CredentialId> list() {
        Set<CredentialId> out = new LinkedHashSet<>();
        for (String prefix : EnvNames.spellings(names.prefix() + "_")) {
            for (String name : env.keySet()) {
                if (!name.startsWith(prefix)) continue;
                String rest = name.substring(prefix.length()).toLowerCase(Locale.ROOT);
                if (rest.endsWith("_file")) rest = rest.substring(0, rest.length() - 5);
                int cut = rest.indexOf('_', 1);
                if (cut < 0 && !rest.isEmpty() && !rest.startsWith("_")) {
                    serviceToken(rest).ifPresent(c -> out.add(c.id())); // a bare <prefix>_<service> token
                    continue;
                }
                if (cut <= 0 || cut == rest.length() - 1) continue;
                String service = rest.substring(0, cut);
                String account = rest.substring(cut + 1);
                if (account.equals("id")) continue;
                out.add(new CredentialId(service, account));
            }
        }
        return new ArrayList<>(out);
    }

    @Override
    public void close() {
    }

    @Override
    public String toString() {
        return "EnvStore[prefix=" + names.prefix() + "]";
    }
}
