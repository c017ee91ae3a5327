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
import java.time.Duration;
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
 * <li>{@code get(service, account)} reads {@code <prefix>_<service>_<account>}, names encoded
 *     injectively (see {@link EnvNames}), lowercase spelling first, then UPPERCASE. Only that exact
 *     variable is read: no prefix matching, no look-alike names.</li>
 * <li>{@code NAME_FILE} instead of {@code NAME} names a file holding the value (the container
 *     convention); one trailing newline is removed. Setting both is an error, not a guess.</li>
 * <li>{@code <prefix>_<service>} holds a token whose account is the value of
 *     {@code <prefix>_<service>_ID} (or {@code default} without one, for a service without dots):
 *     {@code find(service)} returns it, and {@code get(service, thatAccount)} reads it when no
 *     per-account variable exists.</li>
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

    /** The folded prefix, as the variables spell it. */
    String prefix() {
        return names.prefix();
    }

    @Override
    public Capabilities capabilities() {
        return EnvProvider.CAPABILITIES;
    }

    @Override
    public Optional<Secret> get(String service, String account) {
        CredentialId id = new CredentialId(service, account);
        if (!EnvNames.holds(id)) return Optional.empty();
        String variable = names.variable(id);
        // with an _ID beside it, this variable is the token of the service spelled by all of it
        if (plain(variable + EnvNames.ID_SUFFIX).isEmpty()) {
            Optional<Secret> direct = read(variable);
            if (direct.isPresent()) return direct;
        }
        return serviceToken(service).filter(c -> c.account().equals(account)).map(Credential::secret);
    }

    @Override
    public Optional<Credential> find(String service) {
        CredentialId.requireService(service);
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
        if (names.isOwnSetting(base)) return Optional.empty();
        Optional<String> id = plain(base + EnvNames.ID_SUFFIX);
        // without _ID, a dotted service's variable is a pair; reading it as a token would be a guess
        if (id.isEmpty() && !EnvNames.tokenWithoutId(service)) return Optional.empty();
        return read(base).map(secret -> new Credential(service, id.filter(s -> !s.isEmpty()).orElse(EnvNames.DEFAULT_ACCOUNT), secret));
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
        CredentialId.requireNames(service, account);
        throw readOnly("store");
    }

    @Override
    public void set(String service, String account, Secret secret, Duration ttl) {
        CredentialId.requireNames(service, account);
        throw readOnly("store");
    }

    @Override
    public boolean delete(String service, String account) {
        CredentialId.requireNames(service, account);
        throw readOnly("delete");
    }

    private ReadOnlyStoreException readOnly(String what) {
        return new ReadOnlyStoreException("the env backend is read-only and cannot " + what
                + " credentials; set the variable " + names.prefix() + "_<service>_<account> (or ..._FILE) in the environment,"
                + " or configure a writable backend");
    }

    @Override
    public List<CredentialId> list(String service) {
        CredentialId.requireService(service);
        String wanted = EnvNames.encodeService(service);
        Set<CredentialId> out = new LinkedHashSet<>();
        for (CredentialId id : list()) {
            if (EnvNames.encodeService(id.service()).equalsIgnoreCase(wanted)) out.add(new CredentialId(service, id.account()));
        }
        return new ArrayList<>(out);
    }

    /** Every credential variable under the prefix, decoded; a variable that is no exact encoding is no credential. */
    @Override
    public List<CredentialId> list() {
        Set<CredentialId> out = new LinkedHashSet<>();
        for (String prefix : EnvNames.spellings(names.prefix() + "_")) {
            for (String name : env.keySet()) {
                if (!name.startsWith(prefix) || names.isOwnSetting(name)) continue;
                String body = name.substring(prefix.length());
                boolean lower = prefix.equals(prefix.toLowerCase(Locale.ROOT));
                // get() reads only the all-lower and ALL-UPPER spellings, so list no other
                if (!body.equals(lower ? body.toLowerCase(Locale.ROOT) : body.toUpperCase(Locale.ROOT))) continue;
                String fileSuffix = lower ? "_file" : EnvNames.FILE_SUFFIX;
                if (body.endsWith(fileSuffix)) body = body.substring(0, body.length() - fileSuffix.length());
                EnvNames.decode(body).ifPresent(d -> {
                    Optional<String> tokenOf = d.service().filter(s ->
                            EnvNames.tokenWithoutId(s) || plain(names.serviceVariable(s) + EnvNames.ID_SUFFIX).isPresent());
                    if (tokenOf.isPresent()) {
                        serviceToken(tokenOf.get()).ifPresent(c -> out.add(c.id()));
                    } else {
                        d.pair().filter(EnvNames::holds).ifPresent(out::add);
                    }
                });
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
