import io.github.sshexporter.records.LogindSession;
import io.github.sshexporter.sys.Logind;

/**
 * Prints every session the exporter's sd-login binding (io.github.sshexporter.sys.Logind) reads,
 * one line each, in the keys of logind's own session files, so that native-test/suites/60-logind.sh
 * can compare the two field by field. Run with the exporter's jar on the class path.
 */
public final class LogindDump {
    public static void main(String[] args) throws Exception {
        Logind logind = Logind.open();
        Logind.Listing listing = logind.read(k -> true);
        if (!listing.ok()) {
            System.err.println(listing.detail());
            System.exit(1);
        }
        System.out.println("# since254=" + logind.hasSince254());
        for (LogindSession s : listing.sessions()) {
            LogindSession.Kind k = s.kind();
            System.out.println("ID=" + k.id() + " UID=" + s.uid() + " USER=" + s.user() + " STATE=" + k.state()
                    + " TYPE=" + k.type() + " CLASS=" + k.sessionClass() + " SERVICE=" + k.service()
                    + " REMOTE_HOST=" + s.remoteHost() + " LEADER=" + s.leader() + " REALTIME=" + s.startTimeMicros());
        }
    }
}
