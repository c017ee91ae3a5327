package dev.keyring4j.env;

import dev.keyring4j.CredentialId;
import dev.keyring4j.CredentialStore;
import dev.keyring4j.Capabilities;
import dev.keyring4j.KeyringException;
import dev.keyring4j.ReadOnlyStoreException;
import dev.keyring4j.Credential;
import dev.keyring4j.Secret;
import dev.keyring4j.internal.BoundedInput;
import dev.keyring4j.internal.RejectedInputException;
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
    /** A {@code _FILE} is read up to {@link BoundedInput#MAX_SECRET_BYTES} (1 MiB), its final newline included. */
    private static final int FILE_LIMIT = BoundedInput.MAX_SECRET_BYTES;

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
        return source(id).map(Source::read);
    }

    /**
     * Where {@code get(id)} reads: the per-account variable, else the service's token when its
     * account is {@code id}'s. Reads nothing; throws when both a variable and its {@code _FILE} are set.
     */
    private Optional<Source> source(CredentialId id) {
        String variable = names.variable(id);
        // with an _ID beside it, this variable is the token of the service spelled by all of it
        if (plain(variable + EnvNames.ID_SUFFIX).isEmpty()) {
            Optional<Source> direct = source(variable);
            if (direct.isPresent()) return direct;
        }
        return tokenAccount(id.service()).filter(id.account()::equals).flatMap(a -> source(names.serviceVariable(id.service())));
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
        return tokenAccount(service).flatMap(account -> source(names.serviceVariable(service))
                .map(src -> new Credential(service, account, src.read())));
    }

    /** The account of the service's bare token (from {@code _ID}, else {@code default}) when there can be one; reads no value. */
    private Optional<String> tokenAccount(String service) {
        String base = names.serviceVariable(service);
        if (names.isOwnSetting(base)) return Optional.empty();
        Optional<String> id = plain(base + EnvNames.ID_SUFFIX);
        // without _ID, a dotted service's variable is a pair; reading it as a token would be a guess
        if (id.isEmpty() && !EnvNames.tokenWithoutId(service)) return Optional.empty();
        return Optional.of(id.filter(s -> !s.isEmpty()).orElse(EnvNames.DEFAULT_ACCOUNT));
    }

    private Optional<String> plain(String variable) {
        for (String name : EnvNames.spellings(variable)) {
            String v = env.get(name);
            if (v != null) return Optional.of(v);
        }
        return Optional.empty();
    }

    /** The first spelling that is set, as the variable or through {@code _FILE}; reads nothing. */
    private Optional<Source> source(String variable) {
        for (String name : EnvNames.spellings(variable)) {
            String value = env.get(name);
            String fileName = name + (name.equals(name.toLowerCase(Locale.ROOT)) ? EnvNames.FILE_SUFFIX.toLowerCase(Locale.ROOT) : EnvNames.FILE_SUFFIX);
            String file = env.get(fileName);
            if (value != null && file != null) {
                throw new KeyringException("both " + name + " and " + fileName + " are set; unset one of them so the value is not a guess");
            }
            if (value != null) return Optional.of(new Source(name, value, null));
            if (file != null) return Optional.of(new Source(fileName, null, file));
        }
        return Optional.empty();
    }

    /** A variable's value, or the file a {@code _FILE} variable names. */
    private record Source(String variable, String value, String file) {
        Secret read() {
            return value != null ? Secret.of(value) : readFile(variable, file);
        }

        /** Whether {@link #read} would succeed, judged without reading (the file's type, size and permissions). */
        boolean readable() {
            if (value != null) return true;
            try {
                BoundedInput.check(Path.of(file), describe(variable, file), FILE_LIMIT, true);
                return true;
            } catch (RejectedInputException | java.nio.file.InvalidPathException e) {
                return false;
            }
        }

        @Override
        public String toString() {
            return "Source[" + variable + "]"; // never the value
        }
    }

    private static String describe(String variable, String file) {
        return "the file " + file + " named by " + variable;
    }

    private static Secret readFile(String variable, String file) {
        String what = describe(variable, file);
        byte[] bytes;
        try {
            // a link is followed: secret volumes (Kubernetes, Docker) are links into a ..data directory
            bytes = BoundedInput.readFile(Path.of(file), what, FILE_LIMIT, true);
        } catch (java.nio.file.InvalidPathException e) {
            throw new KeyringException(variable + " holds no valid path; fix it");
        } catch (RejectedInputException e) {
            // not "absent": the variable says a secret exists, and we could not read it
            throw new KeyringException(e.getMessage() + "; fix " + variable + " or the file", e);
        }
        try {
            int end = bytes.length;
            if (end > 0 && bytes[end - 1] == '\n') end--;
            if (end > 0 && bytes[end - 1] == '\r') end--;
            return Secret.of(java.util.Arrays.copyOf(bytes, end));
        } finally {
            java.util.Arrays.fill(bytes, (byte) 0);
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
                        tokenAccount(tokenOf.get()).ifPresent(a -> out.add(new CredentialId(tokenOf.get(), a)));
                    } else {
                        d.pair().filter(EnvNames::holds).ifPresent(out::add);
                    }
                });
            }
        }
        // only what get can read: a _FILE naming a FIFO, a device or a missing file is not listed (get says why)
        out.removeIf(id -> !readable(id));
        return new ArrayList<>(out);
    }

    private boolean readable(CredentialId id) {
        try {
            return source(id).filter(Source::readable).isPresent();
        } catch (KeyringException bothSet) {
            return false;
        }
    }

    @Override
    public void close() {
    }

    @Override
    public String toString() {
        return "EnvStore[prefix=" + names.prefix() + "]";
    }
}
