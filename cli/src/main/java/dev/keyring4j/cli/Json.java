package dev.keyring4j.cli;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Just enough JSON: reading docker's helper protocol (one object of string values), and writing the
 * command's {@code --json} output ({@link #value}: objects, arrays, strings, numbers, booleans, null).
 * A malformed text is a {@link Malformed} that says what is wrong and at which offset, and never
 * repeats any of the text: it is the helper's stdin, which carries the secret.
 */
final class Json {
    private final String s;
    private int i;

    private Json(String s) {
        this.s = s;
    }

    /** Why a text is not the JSON expected. Its message holds an offset and what was expected, never input text. */
    static final class Malformed extends IllegalArgumentException {
        Malformed(String what, int offset) {
            super("malformed JSON at offset " + offset + ": " + what
                    + "; docker sends {\"ServerURL\":\"…\",\"Username\":\"…\",\"Secret\":\"…\"} (see docs/integrations.md#docker-credential-helper)");
        }
    }

    static Map<String, String> parseObject(String text) {
        Json p = new Json(text);
        Map<String, String> out = new LinkedHashMap<>();
        p.ws();
        p.expect('{');
        p.ws();
        if (p.peek() == '}') {
            p.i++;
            return out;
        }
        while (true) {
            p.ws();
            String key = p.string();
            p.ws();
            p.expect(':');
            p.ws();
            if (p.peek() == '"') {
                out.put(key, p.string());
            } else {
                p.skipValue();
            }
            p.ws();
            char c = p.next();
            if (c == '}') break;
            if (c != ',') throw new Malformed("expected , or }", p.i - 1);
        }
        return out;
    }

    private char peek() {
        if (i >= s.length()) throw new Malformed("unexpected end of input", i);
        return s.charAt(i);
    }

    private char next() {
        char c = peek();
        i++;
        return c;
    }

    private void expect(char c) {
        if (next() != c) throw new Malformed("expected " + c, i - 1);
    }

    private void ws() {
        while (i < s.length() && Character.isWhitespace(s.charAt(i))) i++;
    }

    /** Skips a number, true, false or null (docker sends only strings; tolerate the rest). */
    private void skipValue() {
        while (i < s.length() && ",}".indexOf(s.charAt(i)) < 0) i++;
    }

    private String string() {
        expect('"');
        int start = i;
        StringBuilder b = new StringBuilder();
        while (true) {
            char c = next();
            if (c == '"') return requireUnicode(b.toString(), start);
            if (c != '\\') {
                b.append(c);
                continue;
            }
            char e = next();
            switch (e) {
                case '"', '\\', '/' -> b.append(e);
                case 'b' -> b.append('\b');
                case 'f' -> b.append('\f');
                case 'n' -> b.append('\n');
                case 'r' -> b.append('\r');
                case 't' -> b.append('\t');
                case 'u' -> b.append(hex4());
                default -> throw new Malformed("unknown escape after \\", i - 1);
            }
        }
    }

    /**
     * A {@code \\u} escape of an unpaired surrogate is no character: kept, it would reach the store as
     * {@code ?} (UTF-8 has no encoding for it), a secret silently changed.
     */
    private static String requireUnicode(String v, int start) {
        if (dev.keyring4j.support.Names.unpairedSurrogate(v) >= 0) {
            throw new Malformed("a \\u escape of an unpaired surrogate in the string", start);
        }
        return v;
    }

    /** The four hex digits of a {@code \}{@code u} escape, decoded here: a JDK parser's message would quote them. */
    private char hex4() {
        int start = i;
        int v = 0;
        for (int k = 0; k < 4; k++) {
            int d = i < s.length() ? Character.digit(s.charAt(i), 16) : -1;
            if (d < 0) throw new Malformed("\\u must be followed by four hex digits", start);
            v = v * 16 + d;
            i++;
        }
        return (char) v;
    }

    static String write(Map<String, String> map) {
        StringBuilder b = new StringBuilder("{");
        map.forEach((k, v) -> {
            if (b.length() > 1) b.append(',');
            quote(b, k);
            b.append(':');
            quote(b, v);
        });
        return b.append('}').toString();
    }

    /**
     * {@code v} as JSON: a {@link Map} (keys in its order) is an object, a {@link List} an array, a
     * {@link CharSequence} a string, a {@link Number} or {@link Boolean} itself, null null. One line, no spaces.
     */
    static String value(Object v) {
        StringBuilder b = new StringBuilder();
        append(b, v);
        return b.toString();
    }

    private static void append(StringBuilder b, Object v) {
        if (v == null) {
            b.append("null");
        } else if (v instanceof Map<?, ?> m) {
            b.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> e : m.entrySet()) {
                if (!first) b.append(',');
                first = false;
                quote(b, String.valueOf(e.getKey()));
                b.append(':');
                append(b, e.getValue());
            }
            b.append('}');
        } else if (v instanceof List<?> l) {
            b.append('[');
            for (int k = 0; k < l.size(); k++) {
                if (k > 0) b.append(',');
                append(b, l.get(k));
            }
            b.append(']');
        } else if (v instanceof Number || v instanceof Boolean) {
            b.append(v);
        } else {
            quote(b, v.toString());
        }
    }

    private static void quote(StringBuilder b, String v) {
        b.append('"');
        for (char c : v.toCharArray()) {
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20) b.append(String.format("\\u%04x", (int) c));
                    else b.append(c);
                }
            }
        }
        b.append('"');
    }
}
