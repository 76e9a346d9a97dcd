package io.github.sshexporter.app;

import java.util.concurrent.CountDownLatch;
import sun.misc.Signal;

/**
 * SIGTERM and SIGINT end the exporter cleanly with status 0. Left to the JVM, they would run
 * shutdown hooks and end the process with 143 or 130, which systemd records as a failure.
 */
final class ShutdownSignals {
    private final CountDownLatch requested = new CountDownLatch(1);
    private volatile String signal = "";

    void install() {
        for (String name : new String[] {"TERM", "INT"}) {
            Signal.handle(new Signal(name), s -> {
                signal = "SIG" + s.getName();
                requested.countDown();
            });
        }
    }

    void await() throws InterruptedException {
        requested.await();
    }

    String signal() {
        return signal;
    }
}
