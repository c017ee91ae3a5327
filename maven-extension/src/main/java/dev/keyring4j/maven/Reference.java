package dev.keyring4j.maven;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The {@code SERVICE/ACCOUNT} payload inside a settings.xml password form. Exactly one raw {@code /}
 * separates the two names; inside a name, {@code %XX} is a UTF-8 byte (so {@code %2F} is a {@code /}
 * and {@code %25} a {@code %}). {@link #payload()} writes {@code %}, {@code /}, braces, brackets,
 * {@code ,}, {@code =}, {@code $}, XML's {@code & < > " '}, a backslash and white space that way, which
 * keeps the form intact through Maven's own parsing (it cuts at the first {@code }} not after a
 * backslash, Maven 4 refuses braces inside, XML trims spaces and gives {@code &} and {@code <} a meaning).
 */
record Reference(String service, String account) {
    /** Where a user reads how to write a form. */
    static final String DOCS = "docs/integrations/maven.md";

    Reference {
        if (service.isEmpty() || account.isEmpty()) throw new IllegalArgumentException("service and account must not be empty");
    }

    /** {@code {[attributes]payload}}, as both plexus-sec-dispatcher generations cut a settings value. */
    private static final Pattern FORM = Pattern.compile("\\s*\\{\\[([^\\]]*)\\](.*)\\}\\s*", Pattern.DOTALL);

    /**
     * The payload of a settings value that is a keyring4j form, or null: {@code {[type=keyring4j]…}} (Maven 3.9)
     * for {@code key} {@code type}, {@code {[name=keyring4j,version=4.0]…}} (Maven 4) for {@code name}. Attributes
     * are comma-separated, keys and values trimmed and case-sensitive, as plexus-sec-dispatcher reads them.
     */
    static String formPayload(String value, String key) {
        Matcher m = FORM.matcher(value);
        if (!m.matches()) return null;
        for (String attribute : m.group(1).split(",")) {
            int eq = attribute.indexOf('=');
            if (eq > 0 && attribute.substring(0, eq).trim().equals(key) && attribute.substring(eq + 1).trim().equals("keyring4j")) return m.group(2);
        }
        return null;
    }

    /** The reference to these names. */
    static Reference of(String service, String account) {
        return new Reference(service, account);
    }

    /**
     * Parses {@code SERVICE/ACCOUNT}.
     *
     * @throws IllegalArgumentException with a message that quotes the payload (it names a credential, it is no secret)
     */
    static Reference parse(String payload) {
        int slash = payload.indexOf('/');
        if (slash < 0 || payload.indexOf('/', slash + 1) >= 0) {
            throw new IllegalArgumentException("'" + payload + "' is not SERVICE/ACCOUNT with exactly one '/' between them"
                    + " (write a '/' inside a name as %2F, a '%' as %25; `keyring4j maven-password SERVICE ACCOUNT` prints the form)");
        }
        String service = decode(payload.substring(0, slash), payload);
        String account = decode(payload.substring(slash + 1), payload);
        if (service.isEmpty() || account.isEmpty()) {
            throw new IllegalArgumentException("'" + payload + "' has an empty " + (service.isEmpty() ? "service" : "account")
                    + "; the form is SERVICE/ACCOUNT, both non-empty");
        }
        return new Reference(service, account);
    }

    /** {@code SERVICE/ACCOUNT} with every character that Maven's parsing or the separator would take written as {@code %XX}. */
    String payload() {
        return encode(service) + "/" + encode(account);
    }

    @Override
    public String toString() {
        return "service '" + service + "', account '" + account + "'";
    }

    private static String encode(String name) {
        StringBuilder out = new StringBuilder(name.length());
        name.codePoints().forEach(cp -> {
            boolean escape = "%/{}[],=$&<>\"'\\".indexOf(cp) >= 0 || Character.isWhitespace(cp) || Character.isSpaceChar(cp) || Character.isISOControl(cp);
            if (!escape) {
                out.appendCodePoint(cp); // other characters stay as they are: settings.xml is UTF-8
                return;
            }
            for (byte b : Character.toString(cp).getBytes(StandardCharsets.UTF_8)) {
                out.append('%').append(HEX.charAt((b >> 4) & 15)).append(HEX.charAt(b & 15));
            }
        });
        return out.toString();
    }

    private static final String HEX = "0123456789ABCDEF";

    private static String decode(String encoded, String payload) {
        if (encoded.indexOf('%') < 0) return encoded;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(encoded.length());
        for (int i = 0; i < encoded.length(); ) {
            char c = encoded.charAt(i);
            if (c == '%') {
                int hi = i + 2 < encoded.length() ? Character.digit(encoded.charAt(i + 1), 16) : -1;
                int lo = hi >= 0 ? Character.digit(encoded.charAt(i + 2), 16) : -1;
                if (lo < 0) {
                    throw new IllegalArgumentException("'" + payload + "' has a '%' that is not followed by two hex digits (write a '%' in a name as %25)");
                }
                bytes.write(hi << 4 | lo);
                i += 3;
            } else {
                int cp = encoded.codePointAt(i);
                byte[] b = Character.toString(cp).getBytes(StandardCharsets.UTF_8);
                bytes.write(b, 0, b.length);
                i += Character.charCount(cp);
            }
        }
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes.toByteArray())).toString();
        } catch (CharacterCodingException e) {
            throw new IllegalArgumentException("'" + payload + "' has %XX escapes that are not UTF-8", e);
        }
    }
}
