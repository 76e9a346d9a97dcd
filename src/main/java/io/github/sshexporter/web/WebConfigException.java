package io.github.sshexporter.web;

/** A web config file that cannot be used; the message is one line for the operator. */
public final class WebConfigException extends Exception {
    private static final long serialVersionUID = 1L;

    public WebConfigException(String message) {
        super(message);
    }

    public WebConfigException(String message, Throwable cause) {
        super(message, cause);
    }
}
