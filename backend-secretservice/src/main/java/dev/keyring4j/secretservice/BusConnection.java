package dev.keyring4j.secretservice;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.List;
import java.util.function.Consumer;
import org.freedesktop.dbus.DBusPath;
import org.freedesktop.dbus.connections.impl.DBusConnection;
import org.freedesktop.dbus.connections.impl.DBusConnectionBuilder;
import org.freedesktop.dbus.exceptions.DBusException;
import org.freedesktop.dbus.matchrules.DBusMatchRuleBuilder;
import org.freedesktop.dbus.messages.DBusSignal;
import org.freedesktop.dbus.messages.Error;
import org.freedesktop.dbus.messages.Message;
import org.freedesktop.dbus.messages.MethodCall;
import org.freedesktop.dbus.messages.constants.MessageTypes;
import org.freedesktop.dbus.types.Variant;

/**
 * One private (unshared) connection to a session bus, with a timeout on every call. Calls are
 * built as raw messages rather than through dbus-java's interface proxies, because a proxy call
 * waits for dbus-java's global default reply timeout while we need a per-store one. Signal
 * handlers believe only the one sender they were subscribed for.
 */
final class BusConnection implements AutoCloseable {
    static final String BUS_NAME = "org.freedesktop.DBus";
    static final String BUS_PATH = "/org/freedesktop/DBus";
    static final String PROPERTIES = "org.freedesktop.DBus.Properties";
    private static final System.Logger LOG = System.getLogger(BusConnection.class.getName());

    private final DBusConnection connection;
    private final long timeoutMillis;

    private BusConnection(DBusConnection connection, Duration timeout) {
        this.connection = connection;
        this.timeoutMillis = timeout.toMillis();
    }

    /**
     * Loads and initialises the dbus-java classes that connecting and calling use, so that the time
     * a probe measures afterwards is the bus's, not the JVM's (a busy machine loads classes slowly).
     * Cheap after the first call; a class this dbus-java version does not have is skipped.
     */
    static void loadClasses() {
        Preload.loaded();
    }

    /** Loads once, when first touched (the JVM runs a class's initialiser exactly once). */
    private static final class Preload {
        static {
            ClassLoader loader = DBusConnection.class.getClassLoader();
            for (String name : List.of(DBusConnectionBuilder.class.getName(), DBusConnection.class.getName(), MethodCall.class.getName(),
                    Error.class.getName(), DBusSignal.class.getName(), DBusMatchRuleBuilder.class.getName(), MessageTypes.class.getName(),
                    DBusPath.class.getName(), Variant.class.getName(),
                    "org.freedesktop.dbus.messages.MethodReturn", "org.freedesktop.dbus.messages.MessageFactory",
                    "org.freedesktop.dbus.Marshalling", "org.freedesktop.dbus.connections.SASL",
                    "org.freedesktop.dbus.connections.transports.TransportBuilder",
                    "org.freedesktop.dbus.connections.base.ReceivingService",
                    "org.freedesktop.dbus.transport.jre.NativeTransportProvider",
                    "org.freedesktop.dbus.transport.jre.NativeUnixSocketTransport")) {
                try {
                    Class.forName(name, true, loader);
                } catch (ClassNotFoundException | LinkageError e) {
                    // only a warm-up: connecting loads whatever is missing
                }
            }
        }

        static void loaded() {
            // touching the class ran its initialiser
        }
    }

    /**
     * Connects, authenticates and says Hello within {@code timeout}; a bus that does not answer in
     * time is abandoned (closed in the background once it does) rather than waited for.
     */
    static BusConnection open(String address, Duration timeout) {
        CompletableFuture<DBusConnection> f = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                // one connect attempt (dbus-java retries every 500 ms for its transport timeout): a socket
                // that refuses proves there is no bus, and our own timeout bounds the handshake
                f.complete(DBusConnectionBuilder.forAddress(address).withShared(false).transportConfig().withTimeout(0).back().build());
            } catch (Throwable e) {
                f.completeExceptionally(e);
            }
        }, "keyring4j-secret-service-connect");
        t.setDaemon(true);
        t.start();
        try {
            return new BusConnection(f.get(timeout.toMillis(), TimeUnit.MILLISECONDS), timeout);
        } catch (TimeoutException e) {
            f.thenAccept(BusConnection::quietlyClose);
            throw new BusCallException(BusCallException.Kind.TIMEOUT, null,
                    "the session bus did not complete the connection (authentication and Hello) within " + timeout.toMillis()
                            + " ms (secret-service.timeout)", null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            f.thenAccept(BusConnection::quietlyClose);
            throw new BusCallException(BusCallException.Kind.DISCONNECTED, null, "interrupted while connecting to the session bus", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            throw new BusCallException(BusCallException.Kind.DISCONNECTED, null,
                    "cannot connect to the session bus: " + (cause.getMessage() != null ? cause.getMessage() : cause.toString()), cause);
        }
    }

    boolean isConnected() {
        return connection.isConnected();
    }

    /** Calls a method and returns the reply's arguments as dbus-java decodes them, or throws {@link BusCallException}. */
    Object[] call(String destination, String path, String iface, String member, String signature, Object... args) {
        return call(timeoutMillis, destination, path, iface, member, signature, args);
    }

    Object[] call(long timeout, String destination, String path, String iface, String member, String signature, Object... args) {
        return await(send(timeout, destination, path, iface, member, signature, args));
    }

    /** A call sent and not yet answered; {@link #await} reads its answer. Several may be in flight: one round trip for all. */
    static final class Pending {
        private final MethodCall call;
        private final String iface;
        private final String member;
        private final long timeoutMillis;
        private final long deadlineNanos;

        private Pending(MethodCall call, String iface, String member, long timeoutMillis) {
            this.call = call;
            this.iface = iface;
            this.member = member;
            this.timeoutMillis = timeoutMillis;
            this.deadlineNanos = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        }
    }

    /** Sends a method call without waiting for its answer. */
    Pending send(String destination, String path, String iface, String member, String signature, Object... args) {
        return send(timeoutMillis, destination, path, iface, member, signature, args);
    }

    private Pending send(long timeout, String destination, String path, String iface, String member, String signature, Object... args) {
        if (!connection.isConnected()) {
            throw new BusCallException(BusCallException.Kind.DISCONNECTED, null, "the session bus connection is closed", null);
        }
        MethodCall call;
        try {
            call = connection.getMessageFactory().createMethodCall(destination, path, iface, member, (byte) 0,
                    args.length == 0 ? null : signature, args);
        } catch (DBusException e) {
            // dbus-java's message is not shown: the arguments (a secret among them for SetSecret/CreateItem) may be quoted in it
            throw new IllegalStateException("cannot build the D-Bus call " + iface + "." + member + " (" + e.getClass().getName() + ")", e);
        }
        connection.sendMessage(call);
        return new Pending(call, iface, member, timeout);
    }

    /** The answer's arguments as dbus-java decodes them, or {@link BusCallException}; waits at most until the call's own timeout. */
    Object[] await(Pending pending) {
        String iface = pending.iface;
        String member = pending.member;
        long timeout = TimeUnit.NANOSECONDS.toMillis(pending.deadlineNanos - System.nanoTime());
        Message reply = pending.call.getReply(Math.max(1, timeout));
        if (reply == null) {
            if (!connection.isConnected()) {
                throw new BusCallException(BusCallException.Kind.DISCONNECTED, null, "the session bus connection was lost during " + member, null);
            }
            throw new BusCallException(BusCallException.Kind.TIMEOUT, null,
                    "no answer to " + iface + "." + member + " within " + pending.timeoutMillis + " ms", null);
        }
        try {
            if (reply instanceof Error error) {
                Object[] params = error.getParameters();
                String text = params != null && params.length > 0 && params[0] instanceof String s ? s : "";
                String name = error.getName();
                if ("org.freedesktop.DBus.Local.Disconnected".equals(name) || "org.freedesktop.dbus.exceptions.NotConnected".equals(name)) {
                    throw new BusCallException(BusCallException.Kind.DISCONNECTED, name, "the session bus connection was lost: " + text, null);
                }
                throw new BusCallException(BusCallException.Kind.ERROR_REPLY, name, name + ": " + text, null);
            }
            Object[] params = reply.getParameters();
            return params == null ? new Object[0] : params;
        } catch (DBusException e) {
            throw new BusCallException(BusCallException.Kind.ERROR_REPLY, null, "cannot decode the answer to " + member
                    + " (" + e.getClass().getName() + "; its message is not shown: the answer may hold a secret)", e);
        }
    }

    /** A property value, unwrapped from its variant. */
    Object getProperty(String destination, String path, String iface, String property) {
        Object[] r = call(destination, path, PROPERTIES, "Get", "ss", iface, property);
        return DBusValues.unwrap(r[0]);
    }

    /** This connection's unique name on the bus (":1.N"). */
    String uniqueName() {
        return connection.getUniqueName();
    }

    /** The unique name (":1.N") that owns {@code name} now, asked of the bus itself; throws {@link BusCallException} when nobody does. */
    String nameOwner(String name) {
        return String.valueOf(call(BUS_NAME, BUS_PATH, BUS_NAME, "GetNameOwner", "s", name)[0]);
    }

    /**
     * Subscribes to a signal that only {@code sender} may send; the returned handle unsubscribes.
     * {@code sender} is what the bus writes as a signal's sender: a unique name (":1.N", see
     * {@link #nameOwner}) or the bus itself ({@link #BUS_NAME}), never another well-known name.
     * A signal from anyone else is dropped before {@code handler} sees it and logged at DEBUG.
     */
    AutoCloseable onSignal(String sender, String path, String iface, String member, Consumer<Object[]> handler) {
        if (sender == null || !(sender.startsWith(":") || sender.equals(BUS_NAME))) {
            throw new IllegalArgumentException("a signal's sender is a unique name or " + BUS_NAME + ", not '" + sender
                    + "'; resolve a well-known name with nameOwner first");
        }
        var builder = DBusMatchRuleBuilder.create().withType(MessageTypes.SIGNAL).withPath(path).withInterface(iface);
        // a null member subscribes to every signal of the interface
        var rule = (member == null ? builder : builder.withMember(member)).build();
        try {
            return connection.addGenericSigHandler(rule, (DBusSignal s) -> {
                // checked here, not left to the match rule: any peer may send a signal with our path
                // and interface, and one addressed to us arrives whatever rules we registered
                if (!sender.equals(s.getSource())) {
                    LOG.log(System.Logger.Level.DEBUG, "secret-service: ignored the signal {0}.{1} on {2} from {3}: only {4} sends it",
                            s.getInterface(), s.getName(), s.getPath(), s.getSource(), sender);
                    return;
                }
                try {
                    handler.accept(s.getParameters());
                } catch (DBusException e) {
                    handler.accept(null);
                }
            });
        } catch (DBusException e) {
            throw new BusCallException(BusCallException.Kind.ERROR_REPLY, null, "cannot subscribe to " + iface + "." + member + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        quietlyClose(connection);
    }

    private static void quietlyClose(DBusConnection c) {
        try {
            c.close();
        } catch (IOException | RuntimeException ignored) {
            // closing a dead connection may fail; there is nothing left to release
        }
    }
}
