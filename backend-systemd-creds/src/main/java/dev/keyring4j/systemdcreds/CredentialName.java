package dev.keyring4j.systemdcreds;

import dev.keyring4j.CredentialId;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

/**
 * The mapping between keyring4j names and systemd credential names, and the checks every
 * credential file name passes before it touches the file system.
 *
 * <p>{@code (service, account)} is the credential {@code esc(service) + "." + esc(account)}; a
 * credential named just {@code esc(service)} is the service's own credential (see {@code find}).
 * {@code esc} keeps ASCII letters, digits and {@code - _ @ + = , ~} and writes every other byte
 * of the UTF-8 encoding as {@code %XX} (uppercase hex), so {@code .}, {@code %}, {@code /},
 * {@code :}, spaces and all non-ASCII are escaped. Because {@code esc} never emits {@code .}, the
 * one dot separates the parts, and because {@code %} is escaped, decoding is unique: the mapping
 * is injective. The result is printable ASCII without {@code /} or {@code :}, which is what
 * systemd accepts as a credential name.
 *
 * <p>{@code .cred} is reserved as the suffix of encrypted credential files ({@code NAME.cred}
 * holds the encrypted credential {@code NAME}), so an account spelled exactly {@code cred} is
 * written {@code %63red}: no mapped name ever ends in {@code .cred}.
 */
final class CredentialName {
    /** systemd's limit for a credential name (a file name and an fd name). */
    static final int MAX_BYTES = 255;
    static final String ENCRYPTED_SUFFIX = ".cred";
    private static final String RESERVED_ACCOUNT = "cred";
    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private CredentialName() {
    }

    /** The credential name for {@code (service, account)}; IllegalArgumentException when it would be longer than 255 bytes or a name is not Unicode text. */
    static String of(String service, String account) {
        CredentialId.requireNames(service, account);
        requireUnicode(service, "service");
        requireUnicode(account, "account");
        String acct = account.equals(RESERVED_ACCOUNT) ? "%63red" : escape(account);
        return checkLength(escape(service) + "." + acct, service, account);
    }

    /** The credential name of the service's own credential, {@code esc(service)}. */
    static String ofService(String service) {
        CredentialId.requireService(service);
        requireUnicode(service, "service");
        return checkLength(escape(service), service, null);
    }

    /** An unpaired surrogate has no UTF-8 encoding: getBytes would write '?', and two names would share one credential. */
    private static void requireUnicode(String part, String what) {
        int i = dev.keyring4j.support.Names.unpairedSurrogate(part);
        if (i >= 0) {
            throw new IllegalArgumentException("the " + what + " name holds an unpaired UTF-16 surrogate at index " + i
                    + ", which is no Unicode text and has no systemd credential name");
        }
    }

    private static String checkLength(String name, String service, String account) {
        if (name.length() > MAX_BYTES) {
            throw new IllegalArgumentException("the systemd credential name for service '" + service + "'"
                    + (account == null ? "" : " and account '" + account + "'") + " would be " + name.length()
                    + " bytes after escaping; systemd allows at most " + MAX_BYTES + " (use shorter names)");
        }
        return name;
    }

    /** The id a credential file name stands for, if it is a canonical two-part name. */
    static Optional<CredentialId> parse(String name) {
        if (name.length() > MAX_BYTES) return Optional.empty(); // no mapped name is longer, and of() would throw
        int dot = name.indexOf('.');
        if (dot < 0 || name.indexOf('.', dot + 1) >= 0) return Optional.empty();
        Optional<String> service = unescape(name.substring(0, dot));
        Optional<String> account = unescape(name.substring(dot + 1));
        if (service.isEmpty() || account.isEmpty()) return Optional.empty();
        CredentialId id = new CredentialId(service.get(), account.get());
        // only the canonical spelling counts, so that list() names exactly what get() reads
        return name.equals(of(id.service(), id.account())) ? Optional.of(id) : Optional.empty();
    }

    /** The service a credential file name stands for, if it is a canonical one-part name. */
    static Optional<String> parseService(String name) {
        // as parse(): no mapped name is longer, and ofService() would throw for it
        if (name.length() > MAX_BYTES || name.indexOf('.') >= 0) return Optional.empty();
        return unescape(name).filter(s -> escape(s).equals(name));
    }

    /**
     * Checks a raw credential file name before any file access: not empty, not {@code .} or
     * {@code ..}, no {@code /} or NUL, at most 255 bytes. The mapping never produces a name that
     * fails; this is the gate for names that come from anywhere else.
     */
    static String requireSafe(String name) {
        if (name == null) throw new NullPointerException("credential name");
        if (name.isEmpty()) throw new IllegalArgumentException("a credential name must not be empty");
        if (name.equals(".") || name.equals("..")) {
            throw new IllegalArgumentException("'" + name + "' is not a credential name (it names a directory)");
        }
        if (name.indexOf('/') >= 0) {
            throw new IllegalArgumentException("credential name '" + printable(name)
                    + "' contains '/'; a credential is a file directly inside its directory, never a path");
        }
        if (name.indexOf('\0') >= 0) {
            throw new IllegalArgumentException("credential name '" + printable(name) + "' contains a NUL character");
        }
        int bytes = name.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > MAX_BYTES) {
            throw new IllegalArgumentException("credential name of " + bytes + " bytes is longer than systemd's limit of "
                    + MAX_BYTES + " bytes");
        }
        return name;
    }

    /** The name as it must appear in a unit file, where {@code %} starts a specifier and is written {@code %%}. */
    static String inUnitFile(String name) {
        return name.replace("%", "%%");
    }

    private static boolean literal(int b) {
        return (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9')
                || b == '-' || b == '_' || b == '@' || b == '+' || b == '=' || b == ',' || b == '~';
    }

    static String escape(String part) {
        byte[] utf8 = part.getBytes(StandardCharsets.UTF_8);
        StringBuilder out = new StringBuilder(utf8.length * 3);
        for (byte raw : utf8) {
            int b = raw & 0xFF;
            if (literal(b)) {
                out.append((char) b);
            } else {
                out.append('%').append(HEX[b >> 4]).append(HEX[b & 0xF]);
            }
        }
        return out.toString();
    }

    /** Decodes {@code %XX} escapes; empty for anything {@link #escape} cannot have produced (bad escape, invalid UTF-8). */
    static Optional<String> unescape(String part) {
        if (part.isEmpty()) return Optional.empty();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(part.length());
        for (int i = 0; i < part.length(); i++) {
            char c = part.charAt(i);
            if (c == '%') {
                if (i + 2 >= part.length()) return Optional.empty();
                int hi = hex(part.charAt(i + 1));
                int lo = hex(part.charAt(i + 2));
                if (hi < 0 || lo < 0) return Optional.empty();
                bytes.write(hi << 4 | lo);
                i += 2;
            } else if (c < 0x80 && literal(c)) {
                bytes.write(c);
            } else {
                return Optional.empty();
            }
        }
        try {
            return Optional.of(StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(bytes.toByteArray())).toString());
        } catch (CharacterCodingException e) {
            return Optional.empty();
        }
    }

    private static int hex(char c) {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1; // lowercase hex is not canonical
    }

    /** A name made safe to quote in a message: control characters shown as escapes. */
    static String printable(String name) {
        StringBuilder b = new StringBuilder();
        name.codePoints().forEach(cp -> {
            if (Character.isISOControl(cp)) {
                b.append(String.format("\\u%04X", cp));
            } else {
                b.appendCodePoint(cp);
            }
        });
        return b.toString();
    }
}
