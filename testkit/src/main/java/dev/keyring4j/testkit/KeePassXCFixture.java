package dev.keyring4j.testkit;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * KeePassXC as a private Secret Service for tests: a {@link SecretServiceFixture#startBusOnly()
 * private bus} (its own {@code dbus-daemon} on a path socket, no service directories, private
 * {@code HOME}/{@code XDG_*}), an {@code Xvfb} display, and {@code keepassxc} on a fresh database
 * whose root group is exposed to the Secret Service, opened unlocked.
 *
 * <p>The database is built with pykeepass ({@code /usr/bin/python3}); the exposed group is the
 * database's custom data item {@code FDO_SECRETS_EXPOSED_GROUP} (the group's UUID in braces), as
 * KeePassXC's own database settings write it. KeePassXC's settings are its {@code keepassxc.ini}
 * under the private {@code XDG_CONFIG_HOME}: Secret Service integration on
 * ({@code FdoSecrets/Enabled}), no notifications, no confirmation of access or deletion unless
 * asked for ({@code FdoSecrets/ConfirmAccessItem}, {@code FdoSecrets/ConfirmDeleteItem}), no lock
 * on idle, no update check, no single-instance hand-over.
 *
 * <p>Guarantees: start-up waits until KeePassXC owns {@code org.freedesktop.secrets} by asking the
 * bus daemon only (NameHasOwner), never the name itself (a call to an unowned name is what
 * D-Bus-activates another provider), then until the database's collection is unlocked; every
 * process is killed by {@link #close()} and by the bus fixture's shutdown hook; nothing touches the
 * user's bus, display or KeePassXC configuration.
 */
public final class KeePassXCFixture implements AutoCloseable {
    /** The database password. */
    public static final String PASSWORD = "keyring4j-keepassxc-fixture";
    /** The database file's name without {@code .kdbx}, which KeePassXC uses as the collection's name. */
    public static final String DATABASE = "keyring4j";
    /** The collection path KeePassXC gives the database. */
    public static final String COLLECTION = "/org/freedesktop/secrets/collection/" + DATABASE;

    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);
    private static final String PYTHON = "/usr/bin/python3";
    /** Builds the database and exposes its root group, as KeePassXC's database settings do. */
    private static final String MAKE_DATABASE = """
            import sys
            from lxml import etree
            from pykeepass import create_database
            kp = create_database(sys.argv[1], password=sys.stdin.read())
            meta = kp.tree.find('Meta')
            # no recycle bin: deleted entries would stay inside the exposed group (KeePassXC 2.7.4 crashed under the delete
            # property test with one; saving after every change, now off, may have been the cause)
            meta.find('RecycleBinEnabled').text = 'False'
            data = meta.find('CustomData')
            if data is None:
                data = etree.SubElement(meta, 'CustomData')
            item = etree.SubElement(data, 'Item')
            etree.SubElement(item, 'Key').text = 'FDO_SECRETS_EXPOSED_GROUP'
            etree.SubElement(item, 'Value').text = '{' + str(kp.root_group.uuid) + '}'
            kp.save()
            """;

    private final SecretServiceFixture bus;
    private final Path database;
    private final Process xvfb;
    private final String display;
    private Process keepassxc;
    private int starts;

    private KeePassXCFixture(SecretServiceFixture bus, Path database, Process xvfb, String display) {
        this.bus = bus;
        this.database = database;
        this.xvfb = xvfb;
        this.display = display;
    }

    /** KeePassXC without access or delete confirmations (what the Secret Service needs to work unattended). */
    public static KeePassXCFixture start() {
        return start(false);
    }

    /** KeePassXC with {@code FdoSecrets/ConfirmAccessItem} and {@code FdoSecrets/ConfirmDeleteItem} set to {@code confirm}. */
    public static KeePassXCFixture start(boolean confirm) {
        Prerequisites.requireProgram("keepassxc");
        Prerequisites.requireProgram("Xvfb");
        Prerequisites.require(Files.isExecutable(Path.of(PYTHON)), PYTHON + " (python3, with python3-pykeepass)");
        SecretServiceFixture bus = SecretServiceFixture.startBusOnly();
        try {
            SecretServiceFixture.Result py = bus.run(List.of(PYTHON, "-c", "import pykeepass, lxml"), null, Duration.ofSeconds(30));
            Prerequisites.require(py.exitCode() == 0, "pykeepass for " + PYTHON + " (Debian package python3-pykeepass): " + py.stderr().strip());
            Path database = bus.directory().resolve(DATABASE + ".kdbx");
            SecretServiceFixture.Result made = bus.run(List.of(PYTHON, "-c", MAKE_DATABASE, database.toString()), PASSWORD, Duration.ofSeconds(60));
            if (made.exitCode() != 0) throw new IllegalStateException("pykeepass could not build the test database: " + made.stderr());
            Path xlog = bus.directory().resolve("xvfb.log");
            // -displayfd 1: Xvfb picks a free display and prints its number on stdout (our log)
            Process xvfb = bus.spawn(List.of("Xvfb", "-displayfd", "1", "-nolisten", "tcp", "-screen", "0", "1024x768x24"), Map.of(), xlog);
            String display = ":" + awaitDisplay(xvfb, xlog);
            KeePassXCFixture f = new KeePassXCFixture(bus, database, xvfb, display);
            f.startKeePassXC(confirm);
            return f;
        } catch (RuntimeException | Error e) {
            bus.close();
            throw e;
        }
    }

    private static String awaitDisplay(Process xvfb, Path log) {
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                // the number is its own line, after any complaint about displays it found taken
                java.util.Optional<String> number = Files.readString(log).lines().map(String::strip).filter(l -> l.matches("\\d+")).findFirst();
                if (number.isPresent()) return number.get();
            } catch (IOException e) {
                // not written yet
            }
            if (!xvfb.isAlive()) throw new IllegalStateException("Xvfb exited with " + xvfb.exitValue() + ":\n" + SecretServiceFixture.logTail(log));
            sleep(50);
        }
        throw new IllegalStateException("Xvfb did not report a display within " + START_TIMEOUT + ":\n" + SecretServiceFixture.logTail(log));
    }

    private synchronized void startKeePassXC(boolean confirm) {
        writeSettings(confirm);
        Path log = bus.directory().resolve("keepassxc-" + (++starts) + ".log");
        Map<String, String> extra = Map.of("DISPLAY", display, "QT_QPA_PLATFORM", "xcb", "TMPDIR", tmp().toString());
        Process p = bus.spawn(List.of("keepassxc", "--pw-stdin", database.toString()), extra, log);
        keepassxc = p;
        try (OutputStream in = p.getOutputStream()) {
            in.write(PASSWORD.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot give keepassxc its database password", e);
        }
        bus.awaitName(SecretServiceFixture.SECRETS_NAME, true, p, "keepassxc", log);
        // the name is owned now, so asking it cannot activate anything: wait for the open database
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (Boolean.FALSE.equals(locked())) return;
            if (!p.isAlive()) throw new IllegalStateException("keepassxc exited with " + p.exitValue() + ":\n" + SecretServiceFixture.logTail(log));
            sleep(100);
        }
        throw new IllegalStateException("keepassxc did not expose the unlocked collection " + COLLECTION + " within " + START_TIMEOUT + ":\n"
                + SecretServiceFixture.logTail(log));
    }

    private Path tmp() {
        Path t = bus.directory().resolve("tmp");
        try {
            Files.createDirectories(t);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return t;
    }

    private void writeSettings(boolean confirm) {
        // keys as KeePassXC 2.7's Config.cpp names them; top-level keys live in [General].
        // No save after every change: KeePassXC 2.7.4 crashed (SIGSEGV) saving under the contract's rapid writes;
        // it saves on exit instead (restart() quits it through its own D-Bus interface).
        String ini = """
                [General]
                ConfigVersion=2
                SingleInstance=false
                RememberLastDatabases=false
                RememberLastKeyFiles=false
                OpenPreviousDatabasesOnStartup=false
                AutoSaveAfterEveryChange=false
                AutoSaveOnExit=true
                AutoReloadOnChange=false
                UpdateCheckMessageShown=true

                [GUI]
                CheckForUpdates=false
                ShowTrayIcon=false
                MinimizeOnStartup=false

                [Security]
                LockDatabaseIdle=false
                LockDatabaseScreenLock=false
                LockDatabaseMinimize=false

                [FdoSecrets]
                Enabled=true
                ShowNotification=false
                ConfirmAccessItem=%1$s
                ConfirmDeleteItem=%1$s
                UnlockBeforeSearch=false
                """.formatted(confirm);
        Path dir = Path.of(bus.environment().get("XDG_CONFIG_HOME"), "keepassxc");
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("keepassxc.ini"), ini);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The collection's Locked property, or null while KeePassXC does not answer for it yet. */
    public Boolean locked() {
        SecretServiceFixture.Result r = bus.run(List.of("dbus-send", "--session", "--print-reply", "--reply-timeout=2000",
                "--dest=" + SecretServiceFixture.SECRETS_NAME, COLLECTION, "org.freedesktop.DBus.Properties.Get",
                "string:org.freedesktop.Secret.Collection", "string:Locked"), null, Duration.ofSeconds(10));
        if (r.exitCode() != 0) return null;
        if (r.stdout().contains("boolean true")) return true;
        if (r.stdout().contains("boolean false")) return false;
        return null;
    }

    /** Locks the database through KeePassXC's own D-Bus interface (lockAllDatabases) and waits until the collection says Locked. */
    public void lockDatabase() {
        SecretServiceFixture.Result r = bus.run(List.of("dbus-send", "--session", "--print-reply", "--reply-timeout=5000",
                "--dest=org.keepassxc.KeePassXC.MainWindow", "/keepassxc", "org.keepassxc.KeePassXC.MainWindow.lockAllDatabases"),
                null, Duration.ofSeconds(10));
        if (r.exitCode() != 0) throw new IllegalStateException("lockAllDatabases failed: " + r.stderr());
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        while (System.nanoTime() < deadline) {
            if (Boolean.TRUE.equals(locked())) return;
            sleep(100);
        }
        throw new IllegalStateException("the database did not lock within " + START_TIMEOUT);
    }

    /** Quits KeePassXC (saving the database) and starts it again on the same database, with confirmations set to {@code confirm}. */
    public synchronized void restart(boolean confirm) {
        Process p = keepassxc;
        if (p != null) {
            // appExit saves the database (AutoSaveOnExit); a kill would lose what the tests wrote
            bus.run(List.of("dbus-send", "--session", "--print-reply", "--reply-timeout=5000", "--dest=org.keepassxc.KeePassXC.MainWindow",
                    "/keepassxc", "org.keepassxc.KeePassXC.MainWindow.appExit"), null, Duration.ofSeconds(10));
            try {
                p.waitFor(15, java.util.concurrent.TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            bus.stop(p);
            keepassxc = null;
            bus.awaitName(SecretServiceFixture.SECRETS_NAME, false, null, "keepassxc", null);
        }
        startKeePassXC(confirm);
    }

    /** The private bus address, {@code unix:path=…}. */
    public String busAddress() {
        return bus.busAddress();
    }

    /** The environment to give children and stores: the private bus and private XDG directories only (no display). */
    public Map<String, String> environment() {
        return bus.environment();
    }

    /** The KeePassXC database file. */
    public Path database() {
        return database;
    }

    /** The version {@code keepassxc --version} prints (e.g. {@code 2.7.4}). */
    public String version() {
        SecretServiceFixture.Result r = bus.run(List.of("keepassxc", "--version"), null, Duration.ofSeconds(30),
                Map.of("QT_QPA_PLATFORM", "offscreen"));
        return r.stdout().lines().filter(l -> l.matches("\\d+\\.\\d+.*")).findFirst().orElse(r.stdout().strip());
    }

    /** The private bus under KeePassXC: run programs on it, spawn monitors, read its directory. */
    public SecretServiceFixture bus() {
        return bus;
    }

    /** Kills KeePassXC, Xvfb and the bus, and deletes the directory. Idempotent. */
    @Override
    public synchronized void close() {
        Process p = keepassxc;
        if (p != null && !p.isAlive()) {
            // it died under the tests: its log is about to be deleted with the directory
            System.err.println("keepassxc exited with " + p.exitValue() + " during the tests:\n"
                    + SecretServiceFixture.logTail(bus.directory().resolve("keepassxc-" + starts + ".log")));
        }
        keepassxc = null;
        bus.close();
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public String toString() {
        return "KeePassXCFixture[" + bus.busAddress() + ", display " + display + "]";
    }
}
