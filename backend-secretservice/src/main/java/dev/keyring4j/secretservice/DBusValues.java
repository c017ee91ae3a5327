package dev.keyring4j.secretservice;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.freedesktop.dbus.DBusPath;
import org.freedesktop.dbus.Struct;
import org.freedesktop.dbus.types.Variant;

/** Reads the loosely typed values dbus-java decodes from raw messages (paths, arrays, dicts, structs, variants). */
final class DBusValues {
    private DBusValues() {
    }

    static Object unwrap(Object o) {
        return o instanceof Variant<?> v ? v.getValue() : o;
    }

    static String path(Object o) {
        Object v = unwrap(o);
        if (v instanceof DBusPath p) return p.getPath();
        if (v instanceof String s) return s;
        throw unexpected("expected an object path, got " + typeOf(v));
    }

    static List<String> paths(Object o) {
        List<String> out = new ArrayList<>();
        for (Object e : list(o)) out.add(path(e));
        return out;
    }

    static List<Object> list(Object o) {
        Object v = unwrap(o);
        if (v instanceof Collection<?> c) return new ArrayList<>(c);
        if (v instanceof Object[] a) return new ArrayList<>(Arrays.asList(a));
        throw unexpected("expected an array, got " + typeOf(v));
    }

    static Map<String, String> stringMap(Object o) {
        Object v = unwrap(o);
        Map<String, String> out = new LinkedHashMap<>();
        if (v instanceof Map<?, ?> m) {
            m.forEach((k, x) -> out.put(String.valueOf(unwrap(k)), String.valueOf(unwrap(x))));
            return out;
        }
        // a dict may arrive as an array of two-element entries
        for (Object e : list(v)) {
            Object[] kv = struct(e);
            out.put(String.valueOf(unwrap(kv[0])), String.valueOf(unwrap(kv[1])));
        }
        return out;
    }

    static byte[] bytes(Object o) {
        Object v = unwrap(o);
        if (v instanceof byte[] b) return b;
        if (v instanceof List<?> l) {
            byte[] b = new byte[l.size()];
            for (int i = 0; i < b.length; i++) b[i] = ((Number) l.get(i)).byteValue();
            return b;
        }
        throw unexpected("expected a byte array, got " + typeOf(v));
    }

    static Object[] struct(Object o) {
        Object v = unwrap(o);
        if (v instanceof Object[] a) return a;
        if (v instanceof Struct s) return s.getParameters();
        if (v instanceof List<?> l) return l.toArray();
        throw unexpected("expected a struct, got " + typeOf(v));
    }

    static boolean bool(Object o) {
        Object v = unwrap(o);
        if (v instanceof Boolean b) return b;
        throw unexpected("expected a boolean, got " + typeOf(v));
    }

    static long number(Object o) {
        Object v = unwrap(o);
        if (v instanceof Number n) return n.longValue();
        throw unexpected("expected a number, got " + typeOf(v));
    }

    /** An answer of the wrong shape is the provider's fault: reported like an error reply, never as a bad argument. */
    private static BusCallException unexpected(String message) {
        return new BusCallException(BusCallException.Kind.ERROR_REPLY, null, "unexpected answer from the Secret Service: " + message, null);
    }

    /** The type only: values may be secret. */
    private static String typeOf(Object v) {
        return v == null ? "nothing" : v.getClass().getName();
    }
}
