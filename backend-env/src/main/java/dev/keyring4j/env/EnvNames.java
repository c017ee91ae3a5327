package dev.keyring4j.env;

import dev.keyring4j.CredentialId;
import dev.keyring4j.spi.BackendConfig;
import dev.keyring4j.spi.Setting;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * The mapping between names and variables, <b>injective</b>: two different ids never read the same
 * variable (ASCII case aside), so a look-alike name chosen by a remote side (a git host, a docker
 * registry, an HTTP server) can never read another name's secret.
 *
 * <p>A name is encoded character by character: an ASCII letter or digit stays as it is; a {@code .}
 * between two letters or digits becomes {@code _}; every other character {@code c} becomes
 * {@code __<HEX>_}, the code point in upper-case hexadecimal without leading zeros ({@code -} is
 * {@code __2D_}, {@code :} is {@code __3A_}, {@code /} is {@code __2F_}, {@code _} is {@code __5F_}).
 * In an account every {@code .} is escaped too. The variables are:
 * <ul>
 * <li>{@code <prefix>_<service>_<account>}: one credential;</li>
 * <li>{@code <prefix>_<service>} with {@code <prefix>_<service>_ID}: a service's token and its account.
 *     Without {@code _ID} a variable is a token only when it cannot also be read as a pair, that is
 *     when the service has no {@code .} between letters or digits ({@code KEYRING4J_BUNNY} is the token
 *     of {@code bunny}; {@code KEYRING4J_GITHUB_COM} alone is account {@code com} of {@code github}).</li>
 * </ul>
 * So {@code github.com}/{@code alice} is {@code KEYRING4J_GITHUB_COM_ALICE}, and
 * {@code git-example.com} ({@code GIT__2D_EXAMPLE_COM}) is not {@code git.example.com}
 * ({@code GIT_EXAMPLE_COM}). Accounts named {@code id} or {@code file} cannot be held (their variables
 * are the {@code _ID} and {@code _FILE} companions). Lookups try the lower-case spelling of a variable,
 * then the UPPER-CASE one; the prefix is folded as it always was.
 */
record EnvNames(String prefix) {
    static final String FILE_SUFFIX = "_FILE";
    static final String ID_SUFFIX = "_ID";
    /** The account a bare {@code <prefix>_<service>} variable is known by when no {@code _ID} variable names one. */
    static final String DEFAULT_ACCOUNT = "default";
    /** Accounts whose variables would be a token's companions. */
    private static final Set<String> COMPANION_ACCOUNTS = Set.of("id", "file");
    /**
     * keyring4j's own settings, never credentials: with the default prefix their variables
     * ({@code KEYRING4J_PASSPHRASE}, {@code KEYRING4J_BACKEND}, …) would otherwise read as tokens.
     */
    private static final Set<String> OWN_SETTINGS = Set.of("passphrase", "backend", "config", "jar");
    private static final String DEFAULT_PREFIX = "KEYRING4J";
    /** {@code env.prefix}: folded as documented, never empty. */
    static final Setting<String> PREFIX = Setting.text("prefix", DEFAULT_PREFIX,
                    "the first part of every variable name (characters outside [A-Za-z0-9] become _)")
            .map("text", prefix -> {
                if (prefix.isEmpty()) throw new Setting.Invalid("non-empty");
                return foldPrefix(prefix);
            });

    static EnvNames from(BackendConfig config) {
        return new EnvNames(config.get(PREFIX));
    }

    /** The prefix keeps the documented folding: every character outside {@code [A-Za-z0-9]} is {@code _}. */
    private static String foldPrefix(String prefix) {
        StringBuilder b = new StringBuilder(prefix.length());
        prefix.codePoints().forEach(cp -> b.append(isAlnum(cp) ? (char) cp : '_'));
        return b.toString();
    }

    /** A service, encoded (upper case); dots between letters or digits become {@code _}. */
    static String encodeService(String service) {
        return encode(service, true);
    }

    /** An account, encoded (upper case); every dot is escaped, so a pair's separator is never in doubt. */
    static String encodeAccount(String account) {
        return encode(account, false);
    }

    private static String encode(String name, boolean dots) {
        StringBuilder b = new StringBuilder(name.length() + 8);
        int[] cps = name.codePoints().toArray();
        for (int i = 0; i < cps.length; i++) {
            int cp = cps[i];
            if (isAlnum(cp)) {
                b.append((char) Character.toUpperCase(cp));
            } else if (dots && cp == '.' && i > 0 && i < cps.length - 1 && isAlnum(cps[i - 1]) && isAlnum(cps[i + 1])) {
                b.append('_');
            } else {
                b.append("__").append(Integer.toHexString(cp).toUpperCase(Locale.ROOT)).append('_');
            }
        }
        return b.toString();
    }

    /** Whether the env backend can hold this id at all (accounts {@code id} and {@code file} it cannot). */
    static boolean holds(CredentialId id) {
        return !COMPANION_ACCOUNTS.contains(id.account().toLowerCase(Locale.ROOT));
    }

    /** {@code <prefix>_<service>}, upper case. */
    String serviceVariable(String service) {
        return prefix + "_" + encodeService(service);
    }

    /** {@code <prefix>_<service>_<account>}, upper case. */
    String variable(CredentialId id) {
        return serviceVariable(id.service()) + "_" + encodeAccount(id.account());
    }

    /** Whether a service's token may be read without an {@code _ID} (its variable then cannot be a pair). */
    static boolean tokenWithoutId(String service) {
        return decode(encodeService(service)).flatMap(Decoded::pair).isEmpty();
    }

    /** Whether this variable is keyring4j's own setting, never a credential. */
    boolean isOwnSetting(String variable) {
        if (!prefix.equalsIgnoreCase(DEFAULT_PREFIX) || variable.length() <= prefix.length() + 1) return false;
        String rest = variable.substring(prefix.length() + 1).toLowerCase(Locale.ROOT);
        for (String suffix : List.of("_file", "_id")) {
            if (rest.endsWith(suffix)) rest = rest.substring(0, rest.length() - suffix.length());
        }
        return OWN_SETTINGS.contains(rest);
    }

    /** The spellings looked up, in order: lowercase, then UPPERCASE. */
    static List<String> spellings(String variable) {
        String lower = variable.toLowerCase(Locale.ROOT);
        String upper = variable.toUpperCase(Locale.ROOT);
        return lower.equals(upper) ? List.of(lower) : List.of(lower, upper);
    }

    /** Whether a variable is in one of our spellings of the prefix. */
    boolean isOurs(String name) {
        return spellings(prefix + "_").stream().anyMatch(name::startsWith) && !isOwnSetting(name);
    }

    /**
     * The readings of a variable's body (the part after {@code <prefix>_}, without {@code _FILE}):
     * as a bare service, and as a {@code service_account} pair. Each reading is present only when it
     * is the exact encoding of its names; decoded names are lower case.
     */
    record Decoded(Optional<String> service, Optional<CredentialId> pair) {
    }

    static Optional<Decoded> decode(String body) {
        // One pass: text of the name so far, with the positions where a dot-or-separator was read.
        StringBuilder text = new StringBuilder();
        int soft = -1;          // text index of the last "_" between alphanumerics: a dot, or the separator
        int hard = -1;          // text index of a separator that can only be one
        boolean afterEscape = false;
        int i = 0;
        int n = body.length();
        while (i < n) {
            char c = body.charAt(i);
            if (isAlnum(c)) {
                text.append(Character.toLowerCase(c));
                afterEscape = false;
                i++;
                continue;
            }
            if (c != '_') return Optional.empty();
            int r = 0;
            while (i + r < n && body.charAt(i + r) == '_') r++;
            boolean afterAlnum = !text.isEmpty() && !afterEscape;
            boolean separatorHere;
            int escape;                     // underscores that open an escape: 0 or 2
            if (afterAlnum && r == 1) {
                if (i + 1 >= n || !isAlnum(body.charAt(i + 1)) || hard >= 0) return Optional.empty();
                soft = text.length();
                text.append('.');
                i++;
                continue;
            } else if (afterAlnum && r == 2 || afterEscape && r == 2 || text.isEmpty() && r == 2) {
                separatorHere = false;
                escape = 2;
            } else if ((afterAlnum || afterEscape) && r == 3) {
                separatorHere = true;
                escape = 2;
            } else if (afterEscape && r == 1) {
                if (i + 1 >= n || !isAlnum(body.charAt(i + 1))) return Optional.empty();
                separatorHere = true;
                escape = 0;
            } else {
                return Optional.empty();
            }
            if (separatorHere) {
                if (hard >= 0) return Optional.empty();
                hard = text.length();
                text.append('\0'); // placeholder: cut here for a pair
            }
            i += r;
            if (escape == 2) {
                int start = i;
                while (i < n && Character.digit(body.charAt(i), 16) >= 0) i++;
                if (i == start || i - start > 6 || i >= n || body.charAt(i) != '_') return Optional.empty();
                int cp = Integer.parseInt(body.substring(start, i), 16);
                if (cp > Character.MAX_CODE_POINT || (cp >= Character.MIN_SURROGATE && cp <= Character.MAX_SURROGATE)) return Optional.empty();
                text.appendCodePoint(cp);
                i++; // the closing underscore
                afterEscape = true;
            } else {
                afterEscape = false;
            }
        }
        String all = text.toString();
        Optional<String> service = Optional.empty();
        Optional<CredentialId> pair = Optional.empty();
        if (hard < 0 && !all.isEmpty() && encodeService(all).equalsIgnoreCase(body)) service = Optional.of(all);
        int cut = hard >= 0 ? hard : soft;
        if (cut > 0 && cut < all.length() - 1) {
            String s = all.substring(0, cut);
            String a = all.substring(cut + 1);
            // the one placeholder is at the cut, so neither part holds it; a NUL in s or a is a name's own (escaped as __0_)
            if ((encodeService(s) + "_" + encodeAccount(a)).equalsIgnoreCase(body)) {
                pair = Optional.of(new CredentialId(s, a));
            }
        }
        if (service.isEmpty() && pair.isEmpty()) return Optional.empty();
        return Optional.of(new Decoded(service, pair));
    }

    private static boolean isAlnum(int cp) {
        return cp < 128 && Character.isLetterOrDigit(cp);
    }
}
