package dev.keyring4j.command;

import java.util.Locale;
import java.util.Optional;

/**
 * Where a token would be sent: scheme, host and port, as read from a service name or written in a
 * rule's match pattern. The scheme is {@code https} unless one is named; the port is the scheme's
 * default (443 for https, 80 for http, none for other schemes) unless one is named. So a rule and
 * a service agree only when they name the same scheme and the same port, and a token meant for
 * https is never offered to plain http or to another port.
 *
 * <p>Service shapes: {@code git:<protocol>://<host>[:<port>][/<path>]} (the git helper),
 * {@code docker:<server URL>} where the URL may be a bare {@code host[:port][/path]} (docker's
 * registries, https) or {@code <scheme>://…} (the docker helper), {@code <scheme>://[user@]<host>[:<port>][/…]}
 * (KeyringAuthenticator and users), and a bare {@code host[:port]}, which means https.
 */
record Endpoint(String scheme, String host, int port) {
    static final String DEFAULT_SCHEME = "https";
    /** No port: a scheme without a known default and none given. */
    static final int NO_PORT = -1;

    /** The endpoint a service names; empty when it names no usable host or a malformed port (then no rule answers). */
    static Optional<Endpoint> ofService(String service) {
        String s = service;
        for (String prefix : new String[] {"git:", "docker:"}) {
            if (s.startsWith(prefix)) {
                s = s.substring(prefix.length());
                break;
            }
        }
        String scheme = DEFAULT_SCHEME;
        int sep = s.indexOf("://");
        if (sep >= 0) {
            scheme = s.substring(0, sep).toLowerCase(Locale.ROOT);
            s = s.substring(sep + 3);
        }
        int slash = s.indexOf('/');
        if (slash >= 0) s = s.substring(0, slash);
        int at = s.lastIndexOf('@');
        if (at >= 0) s = s.substring(at + 1);
        return split(scheme, s).map(hp -> new Endpoint(hp.scheme(), hp.host().toLowerCase(Locale.ROOT), hp.port()));
    }

    /**
     * A rule's match pattern, {@code [<scheme>://]<host glob>[:<port>]}: the scheme and the port
     * exactly, the host as a glob. Empty when malformed (a path, user info, an empty host or a port
     * that is not a number).
     */
    static Optional<Endpoint> ofPattern(String pattern) {
        String s = pattern.trim();
        String scheme = DEFAULT_SCHEME;
        int sep = s.indexOf("://");
        if (sep >= 0) {
            scheme = s.substring(0, sep).toLowerCase(Locale.ROOT);
            s = s.substring(sep + 3);
            if (!scheme.matches("[a-z][a-z0-9+.-]*")) return Optional.empty();
        }
        if (s.indexOf('/') >= 0 || s.indexOf('@') >= 0) return Optional.empty();
        return split(scheme, s);
    }

    /** {@code host[:port]} or {@code [v6]:port}, with the scheme's default port when none is given. */
    private static Optional<Endpoint> split(String scheme, String hostPort) {
        String host;
        String port = null;
        if (hostPort.startsWith("[")) {
            int end = hostPort.indexOf(']');
            if (end < 0) return Optional.empty();
            host = hostPort.substring(1, end);
            String rest = hostPort.substring(end + 1);
            if (!rest.isEmpty()) {
                if (!rest.startsWith(":")) return Optional.empty();
                port = rest.substring(1);
            }
        } else {
            int colon = hostPort.indexOf(':');
            host = colon >= 0 ? hostPort.substring(0, colon) : hostPort;
            if (colon >= 0) port = hostPort.substring(colon + 1);
        }
        if (host.isEmpty()) return Optional.empty();
        int number;
        if (port == null) {
            number = defaultPort(scheme);
        } else {
            if (!port.matches("[0-9]{1,5}")) return Optional.empty();
            number = Integer.parseInt(port);
            if (number < 1 || number > 65535) return Optional.empty();
        }
        return Optional.of(new Endpoint(scheme, host, number));
    }

    static int defaultPort(String scheme) {
        return switch (scheme) {
            case "https" -> 443;
            case "http" -> 80;
            default -> NO_PORT;
        };
    }
}
