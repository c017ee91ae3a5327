package dev.keyring4j.smallrye;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.Optional;

/**
 * The name of a credential as configuration writes it: {@code SERVICE/ACCOUNT}, or a bare
 * {@code SERVICE} where any one account of the service will do (the Quarkus credentials provider
 * allows that; the {@code ${keyring4j::…}} expression does not).
 *
 * <p>The grammar, which {@link #parse} and {@link #encoded()} keep exactly (for every pair of valid-Unicode,
 * non-empty names, {@code parse(of(s, a).encoded())} gives back {@code s} and {@code a}):
 * <ul>
 *   <li>The <b>last</b> {@code /} separates service and account, so a service may contain {@code /}
 *       as it is ({@code git:https://host/org/ci-bot} is service {@code git:https://host/org}, account
 *       {@code ci-bot}); without a {@code /} the whole text is the service.</li>
 *   <li>In either part {@code %XX} is one byte of the name's UTF-8 (percent-encoding, as in URLs):
 *       write {@code %2F} for a {@code /} in an account and {@code %25} for a literal {@code %}. Inside a
 *       SmallRye expression also {@code %7D} for <code>}</code> (it ends the expression) and {@code %24}
 *       for {@code $} (<code>${</code> starts a nested expression). A {@code %} not followed by two
 *       hex digits is an error. Everything else, {@code :} and spaces included, is taken as it is.</li>
 *   <li>Both parts must be non-empty after decoding and valid UTF-8.</li>
 * </ul>
 *
 * <p>Immutable; {@link #toString()} is the encoded text (names only, never a secret).
 */
public final class CredentialName {
    private final String service;
    private final String account;

    private CredentialName(String service, String account) {
        this.service = service;
        this.account = account;
    }

    /** The credential {@code (service, account)}. */
    public static CredentialName of(String service, String account) {
        return new CredentialName(requireName(service, "service"), requireName(account, "account"));
    }

    /** Any one account of {@code service}. */
    public static CredentialName of(String service) {
        return new CredentialName(requireName(service, "service"), null);
    }

    /**
     * Reads {@code SERVICE/ACCOUNT} or {@code SERVICE} as the class describes.
     *
     * @throws IllegalArgumentException for an empty part, a malformed {@code %} escape or bytes that are not UTF-8;
     *         the message quotes the text (a name, never a secret)
     */
    public static CredentialName parse(String text) {
        Objects.requireNonNull(text, "text");
        requireUnicode(text, "credential name");
        int slash = text.lastIndexOf('/');
        if (slash < 0) return new CredentialName(decode(text, text, "service"), null);
        return new CredentialName(decode(text.substring(0, slash), text, "service"), decode(text.substring(slash + 1), text, "account"));
    }

    public String service() {
        return service;
    }

    /** The account, or empty when only the service was named. */
    public Optional<String> account() {
        return Optional.ofNullable(account);
    }

    /**
     * The text {@link #parse} reads back as this name. Percent-encodes {@code %}, {@code $}, <code>}</code>,
     * {@code \\} (a properties file's escape), control characters, and {@code /} in the account, so the
     * result can be put in a SmallRye expression or a properties file as it is.
     */
    public String encoded() {
        return account == null ? encode(service, false) : encode(service, false) + '/' + encode(account, true);
    }

    /** {@code ${keyring4j::SERVICE/ACCOUNT}}, the expression that resolves to this credential's secret. */
    public String expression() {
        if (account == null) throw new IllegalStateException("an expression names an account; " + this + " names only a service");
        return "${" + KeyringSecretKeysHandler.NAME + "::" + encoded() + "}";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CredentialName n && n.service.equals(service) && Objects.equals(n.account, account);
    }

    @Override
    public int hashCode() {
        return Objects.hash(service, account);
    }

    @Override
    public String toString() {
        return encoded();
    }

    private static String requireName(String name, String what) {
        Objects.requireNonNull(name, what);
        if (name.isEmpty()) throw new IllegalArgumentException("the " + what + " name is empty");
        requireUnicode(name, what + " name");
        return name;
    }

    /** An unpaired surrogate has no UTF-8 form: refused rather than turned into '?'. */
    private static void requireUnicode(String text, String what) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw new IllegalArgumentException("the " + what + " holds an unpaired surrogate at offset " + i + " (not valid Unicode)");
            }
        }
    }

    private static String decode(String part, String whole, String what) {
        if (part.isEmpty()) throw new IllegalArgumentException("'" + whole + "' names no " + what + " (expected SERVICE/ACCOUNT)");
        if (part.indexOf('%') < 0) return part;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(part.length());
        for (int i = 0; i < part.length(); ) {
            char c = part.charAt(i);
            if (c == '%') {
                int hi = i + 2 < part.length() ? Character.digit(part.charAt(i + 1), 16) : -1;
                int lo = hi >= 0 ? Character.digit(part.charAt(i + 2), 16) : -1;
                if (lo < 0) {
                    throw new IllegalArgumentException("'" + whole + "': '%' at offset " + i + " of the " + what
                            + " is not followed by two hex digits; write %25 for a literal %");
                }
                bytes.write(hi << 4 | lo);
                i += 3;
            } else {
                int end = Character.isHighSurrogate(c) ? i + 2 : i + 1; // pairs are whole: requireUnicode ran
                bytes.writeBytes(part.substring(i, end).getBytes(StandardCharsets.UTF_8));
                i = end;
            }
        }
        try {
            String name = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes.toByteArray())).toString();
            if (name.isEmpty()) throw new IllegalArgumentException("'" + whole + "' names no " + what);
            return name;
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("'" + whole + "': the %-escapes of the " + what + " are not UTF-8", e);
        }
    }

    private static String encode(String name, boolean slash) {
        StringBuilder b = new StringBuilder(name.length() + 8);
        for (int i = 0; i < name.length(); ) {
            int cp = name.codePointAt(i);
            int end = i + Character.charCount(cp);
            if (cp == '%' || cp == '$' || cp == '}' || cp == '\\' || (slash && cp == '/')
                    || Character.isISOControl(cp)) {
                for (byte x : name.substring(i, end).getBytes(StandardCharsets.UTF_8)) b.append('%').append(HEX[(x >> 4) & 15]).append(HEX[x & 15]);
            } else {
                b.append(name, i, end);
            }
            i = end;
        }
        return b.toString();
    }

    private static final char[] HEX = "0123456789ABCDEF".toCharArray();
}
