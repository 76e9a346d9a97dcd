package io.github.sshexporter.sys;

import com.sun.jna.Platform;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Unpacks JNA's native stub (libjnidispatch.so) from the jar before JNA would, and removes it
 * once loaded. JNA's own unpacking names its file with {@code File.createTempFile}, whose
 * SecureRandom loads the JDK's security providers: resident memory for a name (docs/BENCHMARKS.md).
 * Here the name comes from a plain random number; safety comes from creating the directory with
 * mkdir (fails if anything, a symbolic link included, is already there) and mode 0700. Any
 * failure leaves JNA to do its own unpacking, as it would without this class.
 */
final class NativeStub {
    private NativeStub() {}

    /** Loads JNA's native part; call before anything else touches JNA's {@code Native}. */
    static void load() {
        Path dir = unpack();
        try {
            int unused = com.sun.jna.Native.POINTER_SIZE; // initialises Native: loads the stub
        } finally {
            if (dir != null) {
                System.clearProperty("jna.boot.library.path");
                remove(dir);
            }
        }
    }

    /** The directory holding the unpacked stub, with JNA told to load it from there; or null. */
    private static Path unpack() {
        if (System.getProperty("jna.boot.library.path") != null || Boolean.getBoolean("jna.nounpack")) {
            return null; // the user chose where the stub comes from
        }
        String resource = "com/sun/jna/" + Platform.RESOURCE_PREFIX + "/" + System.mapLibraryName("jnidispatch");
        String base = System.getProperty("jna.tmpdir", System.getProperty("java.io.tmpdir"));
        Path dir = Paths.get(base, "jna-" + Long.toUnsignedString(ThreadLocalRandom.current().nextLong(), 36));
        try (InputStream in = NativeStub.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                return null;
            }
            Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            try (OutputStream out = Files.newOutputStream(dir.resolve(System.mapLibraryName("jnidispatch")),
                    StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                in.transferTo(out);
            }
        } catch (IOException | RuntimeException e) {
            remove(dir);
            return null;
        }
        // Not jna.nounpack: should this copy fail to load (a noexec mount), JNA still unpacks its own.
        System.setProperty("jna.boot.library.path", dir.toString());
        return dir;
    }

    private static void remove(Path dir) {
        try {
            Files.deleteIfExists(dir.resolve(System.mapLibraryName("jnidispatch")));
            Files.deleteIfExists(dir);
        } catch (IOException e) {
            // a leftover in the (private) runtime or temporary directory: harmless
        }
    }
}
