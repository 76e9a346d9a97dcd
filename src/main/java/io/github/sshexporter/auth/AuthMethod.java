package io.github.sshexporter.auth;

/** The authentication method of an {@code Accepted}, {@code Failed} or {@code Partial} message. */
public enum AuthMethod {
    PASSWORD("password"),
    PUBLICKEY("publickey"),
    KEYBOARD_INTERACTIVE("keyboard-interactive"),
    HOSTBASED("hostbased"),
    GSSAPI_WITH_MIC("gssapi-with-mic"),
    NONE("none"),
    /** Anything else: a method of a later release or a vendor patch, or (in {@code Failed}) any text a client sent. */
    OTHER("other");

    /** values() copies its array on every call: this runs once per journal line. */
    private static final AuthMethod[] ALL = values();

    private final String label;

    AuthMethod(String label) {
        this.label = label;
    }

    /** The method as sshd names it ({@code other} for {@link #OTHER}), e.g. for a metric label. */
    public String label() {
        return label;
    }

    /**
     * The method of the name sshd logged: {@code keyboard-interactive/pam} (a method and its device) is
     * keyboard-interactive, and {@code publickey-hostbound-v00@openssh.com} (the name OpenSSH 8.9+
     * clients sign host-bound requests with; a failure logs the name the client sent) is publickey.
     */
    static AuthMethod ofLogged(String logged) {
        String name = logged;
        int slash = name.indexOf('/');
        if (slash >= 0) {
            if (!name.substring(0, slash).equals(KEYBOARD_INTERACTIVE.label)) {
                return OTHER;
            }
            name = KEYBOARD_INTERACTIVE.label;
        }
        if (name.equals("publickey-hostbound-v00@openssh.com")) {
            return PUBLICKEY;
        }
        for (AuthMethod method : ALL) {
            if (method != OTHER && method.label.equals(name)) {
                return method;
            }
        }
        return OTHER;
    }
}
