package io.github.sshexporter.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Compiles the C helpers in src/test/c with the machine's gcc (once per test run) and runs them.
 * gcc is a hard prerequisite: a missing compiler fails the test, it never skips it.
 */
public final class NativeTools {
    private static final Path SOURCES = Path.of("src/test/c");
    private static final Path BIN = Path.of("target/native-test-bin");
    private static final ConcurrentHashMap<String, Path> BUILT = new ConcurrentHashMap<>();

    private NativeTools() {}

    /** The executable built from src/test/c/NAME.c. */
    public static Path program(String name) {
        return BUILT.computeIfAbsent(name, NativeTools::compile);
    }

    private static Path compile(String name) {
        try {
            Files.createDirectories(BIN);
            Path out = BIN.resolve(name).toAbsolutePath();
            Result r = run(List.of("gcc", "-O2", "-Wall", "-Werror", "-o", out.toString(),
                    SOURCES.resolve(name + ".c").toString()));
            assertEquals(0, r.exitCode(), "gcc failed for " + name + ": " + r.stderr());
            return out;
        } catch (IOException e) {
            throw new AssertionError("cannot build " + name + " (is gcc installed?): " + e, e);
        }
    }

    /** Where Debian's cross toolchain (libc6-dev-arm64-cross) keeps aarch64 glibc: qemu's -L. */
    public static final Path AARCH64_ROOT = Path.of("/usr/aarch64-linux-gnu");

    /**
     * src/test/c/NAME.c built for aarch64 with Debian's cross compiler, as the command that runs
     * it under qemu-user with aarch64 glibc: {@code qemu-aarch64 -L /usr/aarch64-linux-gnu BIN}.
     */
    public static List<String> aarch64Program(String name) {
        Path bin = BUILT.computeIfAbsent("aarch64/" + name, key -> {
            try {
                Path out = BIN.resolve("aarch64").resolve(name).toAbsolutePath();
                Files.createDirectories(out.getParent());
                Result r = run(List.of("aarch64-linux-gnu-gcc", "-O2", "-Wall", "-Werror", "-o", out.toString(),
                        SOURCES.resolve(name + ".c").toString()));
                assertEquals(0, r.exitCode(), "aarch64-linux-gnu-gcc failed for " + name + ": " + r.stderr());
                return out;
            } catch (IOException e) {
                throw new AssertionError("cannot build " + name + " for aarch64 (apt-get install gcc-aarch64-linux-gnu"
                        + " libc6-dev-arm64-cross qemu-user): " + e, e);
            }
        });
        return List.of("qemu-aarch64", "-L", AARCH64_ROOT.toString(), bin.toString());
    }

    public record Result(int exitCode, String stdout, String stderr) {}

    public static Result run(List<String> command) throws IOException {
        return run(command, null);
    }

    /**
     * Runs {@code command} with {@code stdin} (or none) as its input, for at most 60 s. Output and
     * errors go to temp files, so that a child filling one pipe while the other is read can never
     * deadlock it, and a child that hangs is killed.
     */
    public static Result run(List<String> command, byte[] stdin) throws IOException {
        Path out = Files.createTempFile("native-out", ".txt");
        Path err = Files.createTempFile("native-err", ".txt");
        try {
            ProcessBuilder builder = new ProcessBuilder(command)
                    .redirectOutput(out.toFile()).redirectError(err.toFile());
            if (stdin == null) {
                builder.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
            }
            Process p = builder.start();
            try {
                if (stdin != null) {
                    try (var in = p.getOutputStream()) {
                        in.write(stdin);
                    }
                }
                if (!p.waitFor(60, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    throw new AssertionError("timed out after 60 s: " + command);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                p.destroyForcibly();
                throw new AssertionError("interrupted", e);
            }
            return new Result(p.exitValue(), new String(Files.readAllBytes(out), StandardCharsets.UTF_8),
                    new String(Files.readAllBytes(err), StandardCharsets.UTF_8));
        } finally {
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
        }
    }

    /** Runs the glibc-backed utmpx writer on {@code file}; fails the test when it fails. */
    public static void utmp(Path file, String... args) {
        List<String> command = new ArrayList<>();
        command.add(program("utmpx_writer").toString());
        command.add(file.toString());
        command.addAll(List.of(args));
        try {
            Result r = run(command);
            assertEquals(0, r.exitCode(), "utmpx_writer " + String.join(" ", args) + ": " + r.stderr());
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** Starts the writer without waiting, for concurrent writers. */
    public static Process utmpAsync(Path file, String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(program("utmpx_writer").toString());
        command.add(file.toString());
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectErrorStream(true).start();
    }
}
