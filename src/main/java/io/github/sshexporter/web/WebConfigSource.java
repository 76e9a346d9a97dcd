package io.github.sshexporter.web;

import io.github.sshexporter.log.Log;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The web config in force, and its reloading. The file and the certificate, key and CA files it
 * names are checked for changes (size, time, inode: a stat each, at most once a second, on a new
 * connection or request); a change is loaded whole and replaces the config only if all of it is
 * good. A broken edit keeps the last good config and says so in one log line; TLS cannot be
 * switched on or off while running (that needs a restart, as with the toolkit).
 */
public final class WebConfigSource {
    static final long CHECK_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);

    /** What was loaded, and the state of the files it came from. */
    private record Loaded(WebConfig config, TlsContext tls, List<FileState> files) {}

    /** A file as stat(2) saw it; absent files are a state too. */
    private record FileState(Path path, boolean exists, long size, long modifiedNanos, Object key) {
        static FileState of(Path p) {
            try {
                BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
                return new FileState(p, true, a.size(), a.lastModifiedTime().to(TimeUnit.NANOSECONDS), a.fileKey());
            } catch (IOException e) {
                return new FileState(p, false, -1, -1, null);
            }
        }
    }

    private final Path file;
    private final boolean tlsEnabled;
    private final List<String> startupCurves;
    private final ReentrantLock reloadLock = new ReentrantLock();
    private volatile Loaded current;
    private volatile long lastCheck;
    private List<FileState> lastFailed;
    private boolean curvesWarned;

    private WebConfigSource(Path file, Loaded loaded) {
        this.file = file;
        this.current = loaded;
        this.tlsEnabled = loaded.tls != null;
        this.startupCurves = loaded.tls == null ? List.of() : loaded.tls.curves;
        this.lastCheck = System.nanoTime();
    }

    /** No web config file: plain HTTP, no auth, nothing to reload. */
    public static WebConfigSource none() {
        return new WebConfigSource(null, new Loaded(WebConfig.NONE, null, List.of()));
    }

    /** Loads the file and everything it names, or fails with one line. */
    public static WebConfigSource open(Path file) throws WebConfigException {
        WebConfig config = WebConfig.load(file);
        if (config.tls() != null && !config.tls().curvePreferences().isEmpty()) {
            // The JDK reads its curve list once, at its first TLS use: set it before that.
            List<String> groups = new ArrayList<>();
            for (String c : config.tls().curvePreferences()) {
                groups.add(WebConfig.CURVES.get(c));
            }
            System.setProperty("jdk.tls.namedGroups", String.join(",", groups));
        }
        TlsContext tls = config.tls() == null ? null : TlsContext.load(config.tls());
        return new WebConfigSource(file, new Loaded(config, tls, states(file, config)));
    }

    public Path file() {
        return file;
    }

    public boolean tlsEnabled() {
        return tlsEnabled;
    }

    /** The config in force (checking the files first, at most once a second). */
    public WebConfig config() {
        maybeReload();
        return current.config;
    }

    TlsContext tls() {
        maybeReload();
        return current.tls;
    }

    /** The subject of the certificate served now (for logs). */
    public String certificateSubject() {
        TlsContext t = current.tls;
        return t == null ? "" : t.leaf.getSubjectX500Principal().getName();
    }

    private static List<FileState> states(Path file, WebConfig config) {
        List<FileState> out = new ArrayList<>();
        out.add(FileState.of(file));
        if (config != null && config.tls() != null) {
            for (Path p : config.tls().files()) {
                out.add(FileState.of(p));
            }
        }
        return out;
    }

    private void maybeReload() {
        if (file == null || System.nanoTime() - lastCheck < CHECK_INTERVAL_NANOS || !reloadLock.tryLock()) {
            return;
        }
        try {
            long now = System.nanoTime();
            if (now - lastCheck < CHECK_INTERVAL_NANOS) {
                return;
            }
            lastCheck = now;
            Loaded loaded = current;
            if (refresh(loaded.files).equals(loaded.files)) {
                return;
            }
            if (lastFailed != null && refresh(lastFailed).equals(lastFailed)) {
                return; // still the edit that failed: said once already
            }
            reload(loaded);
        } finally {
            reloadLock.unlock();
        }
    }

    private static List<FileState> refresh(List<FileState> states) {
        List<FileState> out = new ArrayList<>(states.size());
        for (FileState s : states) {
            out.add(FileState.of(s.path));
        }
        return out;
    }

    /** Loads the changed files; any failure keeps what is in force. Called under the lock. */
    private void reload(Loaded loaded) {
        FileState before = FileState.of(file);
        WebConfig config = null;
        try {
            config = WebConfig.load(file);
            if ((config.tls() != null) != tlsEnabled) {
                throw new WebConfigException(tlsEnabled
                        ? "it turns TLS off, which needs a restart"
                        : "it turns TLS on, which needs a restart");
            }
            TlsContext tls = config.tls() == null ? null : TlsContext.load(config.tls());
            List<FileState> after = states(file, config);
            if (!after.get(0).equals(before)) {
                return; // changed while being read: the next check loads it again
            }
            current = new Loaded(config, tls, after);
            lastFailed = null;
            Log.info("web config reloaded", "file", file, "tls", tls != null, "users", config.users().size(),
                    "certificate", tls == null ? "" : tls.leaf.getSubjectX500Principal().getName());
            if (tls != null && !tls.curves.equals(startupCurves) && !curvesWarned) {
                curvesWarned = true;
                Log.warn("web config: a change of curve_preferences takes effect at the next start", "file", file);
            }
        } catch (WebConfigException | RuntimeException e) {
            // Retry when any file this attempt read (or the files in force) changes again.
            List<FileState> failed = new ArrayList<>(states(file, config));
            for (FileState s : loaded.files) {
                if (failed.stream().noneMatch(f -> f.path.equals(s.path))) {
                    failed.add(FileState.of(s.path));
                }
            }
            lastFailed = failed;
            Log.error("web config not reloaded, keeping the last good one", "file", file,
                    "error", e instanceof WebConfigException ? e.getMessage() : e.toString());
        }
    }
}
