package dev.keyring4j.env;

import dev.keyring4j.CredentialId;
import dev.keyring4j.spi.BackendConfig;
import java.util.List;
import java.util.Locale;

/**
 * The mapping from names to variables: {@code <prefix>_<service>_<account>}, each part with every
 * character outside {@code [A-Za-z0-9]} replaced by {@code _}, looked up in lowercase first, then
 * in UPPERCASE. The mapping is lossy by nature (environment variable names are), so two ids whose
 * variables differ only in case or in replaced characters read the same variable.
 */
record EnvNames(String prefix) {
    static final String FILE_SUFFIX = "_FILE";
    static final String ID_SUFFIX = "_ID";
    /** The account a bare {@code <prefix>_<service>} variable is known by when no {@code _ID} variable names one. */
    static final String DEFAULT_ACCOUNT = "default";

    static EnvNames from(BackendConfig config) {
        String prefix = config.get("prefix", "KEYRING4J").trim();
        if (prefix.isEmpty()) throw config.invalid("prefix", "non-empty");
        return new EnvNames(escape(prefix));
    }

    static String escape(String part) {
        StringBuilder b = new StringBuilder(part.length());
        part.codePoints().forEach(cp -> b.append(cp < 128 && Character.isLetterOrDigit(cp) ? (char) cp : '_'));
        return b.toString();
    }

    /** {@code <prefix>_<service>}, not yet case-folded. */
    String serviceVariable(String service) {
        return prefix + "_" + escape(service);
    }

    /** {@code <prefix>_<service>_<account>}, not yet case-folded. */
    String variable(CredentialId id) {
        return serviceVariable(id.service()) + "_" + escape(id.account());
    }

    /** The spellings looked up, in order: lowercase, then UPPERCASE. */
    static List<String> spellings(String variable) {
        String lower = variable.toLowerCase(Locale.ROOT);
        String upper = variable.toUpperCase(Locale.ROOT);
        return lower.equals(upper) ? List.of(lower) : List.of(lower, upper);
    }

    /** Whether a variable is in one of our spellings of the prefix. */
    boolean isOurs(String name) {
        return spellings(prefix + "_").stream().anyMatch(name::startsWith);
    }
}
