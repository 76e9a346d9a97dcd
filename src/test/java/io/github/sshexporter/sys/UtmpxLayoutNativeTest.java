package io.github.sshexporter.sys;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.github.sshexporter.records.UtmpxLayout;
import io.github.sshexporter.testing.NativeTools;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The layout table against what gcc says about struct utmpx on this very machine. */
class UtmpxLayoutNativeTest {
    @Test
    void offsetsMatchTheCompiler() throws Exception {
        UtmpxLayout layout = UtmpxLayout.forArch(System.getProperty("os.arch")).orElseThrow();
        NativeTools.Result r = NativeTools.run(List.of(NativeTools.program("utmpx_layout").toString()));
        assertEquals(0, r.exitCode());
        int[] compiler = Arrays.stream(r.stdout().trim().split(" ")).mapToInt(Integer::parseInt).toArray();
        assertArrayEquals(compiler, layout.offsets(), "offsetof/sizeof of struct utmpx on " + System.getProperty("os.arch"));
    }

    @Test
    void unknownArchitecturesAreRefused() {
        assertEquals(java.util.Optional.empty(), UtmpxLayout.forArch("riscv64"));
        assertEquals(java.util.Optional.empty(), UtmpxLayout.forArch("x86"));
    }
}
