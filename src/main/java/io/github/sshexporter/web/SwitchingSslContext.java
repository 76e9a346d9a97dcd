package io.github.sshexporter.web;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import java.security.KeyManagementException;
import java.security.SecureRandom;
import java.util.function.Supplier;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLContextSpi;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocketFactory;
import javax.net.ssl.SSLSessionContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;

/**
 * The JDK's HTTPS server takes one {@link SSLContext} for its whole life. This one hands every new
 * connection an engine from the current {@link TlsContext}, so a rotated certificate, a new
 * client CA or new protocol settings apply to the next connection without a restart.
 */
final class SwitchingSslContext extends SSLContext {
    /** The setup whose engine this thread created last: the server configures that engine next. */
    private static final ThreadLocal<TlsContext> CREATED = new ThreadLocal<>();

    SwitchingSslContext(Supplier<TlsContext> current) {
        super(new Spi(current), current.get().context.getProvider(), "TLS");
    }

    /** Sets each new engine's parameters from the same setup the engine was made from. */
    static HttpsConfigurator configurator(SwitchingSslContext context, Supplier<TlsContext> current) {
        return new HttpsConfigurator(context) {
            @Override
            public void configure(HttpsParameters params) {
                TlsContext tls = CREATED.get();
                CREATED.remove();
                params.setSSLParameters((tls != null ? tls : current.get()).parameters);
            }
        };
    }

    private static final class Spi extends SSLContextSpi {
        private final Supplier<TlsContext> current;

        Spi(Supplier<TlsContext> current) {
            this.current = current;
        }

        @Override
        protected void engineInit(KeyManager[] km, TrustManager[] tm, SecureRandom sr) throws KeyManagementException {
            throw new KeyManagementException("initialised from the web config file");
        }

        @Override
        protected SSLEngine engineCreateSSLEngine() {
            TlsContext tls = current.get();
            CREATED.set(tls);
            return tls.context.createSSLEngine();
        }

        @Override
        protected SSLEngine engineCreateSSLEngine(String host, int port) {
            TlsContext tls = current.get();
            CREATED.set(tls);
            return tls.context.createSSLEngine(host, port);
        }

        @Override
        protected SSLSocketFactory engineGetSocketFactory() {
            return current.get().context.getSocketFactory();
        }

        @Override
        protected SSLServerSocketFactory engineGetServerSocketFactory() {
            return current.get().context.getServerSocketFactory();
        }

        @Override
        protected SSLSessionContext engineGetServerSessionContext() {
            return current.get().context.getServerSessionContext();
        }

        @Override
        protected SSLSessionContext engineGetClientSessionContext() {
            return current.get().context.getClientSessionContext();
        }

        @Override
        protected SSLParameters engineGetDefaultSSLParameters() {
            return current.get().parameters;
        }

        @Override
        protected SSLParameters engineGetSupportedSSLParameters() {
            return current.get().context.getSupportedSSLParameters();
        }
    }
}
