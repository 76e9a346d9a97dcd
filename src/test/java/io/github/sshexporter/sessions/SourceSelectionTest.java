package io.github.sshexporter.sessions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sshexporter.sessions.SourceSelection.Choice;
import io.github.sshexporter.sessions.SourceSelection.Decision;
import io.github.sshexporter.sessions.SourceSelection.Facts;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class SourceSelectionTest {
    private static final Path FILE = Path.of("/var/run/utmp");
    private static final String NO_LIB = "cannot load libsystemd.so.0: not found";

    @ParameterizedTest(name = "{0} utmp={1} booted={2} dirs={3} lib={4} -> {5}")
    @CsvSource({
        // utmp: always the file, even when it is missing (a state, not an error)
        "UTMP, false, false, false, false, UTMP",
        "UTMP, false, true, true, true, UTMP",
        // logind: when it runs; wait while it does not; fail only without libsystemd
        "LOGIND, false, true, true, true, LOGIND",
        "LOGIND, true, true, true, true, LOGIND",
        "LOGIND, false, false, true, true, WAIT",
        "LOGIND, false, true, false, true, WAIT",
        "LOGIND, true, true, true, false, FAIL",
        // auto: the file first, then logind, else wait for either
        "AUTO, true, true, true, true, UTMP",
        "AUTO, true, false, false, false, UTMP",
        "AUTO, false, true, true, true, LOGIND",
        "AUTO, false, false, true, true, WAIT",
        "AUTO, false, true, false, true, WAIT",
        "AUTO, false, true, true, false, WAIT",
        "AUTO, false, false, false, false, WAIT",
    })
    void decisionTable(SourceMode mode, boolean utmp, boolean booted, boolean dirs, boolean lib, Choice expected) {
        Facts facts = new Facts(utmp, booted, dirs, lib ? null : NO_LIB);
        assertEquals(expected, SourceSelection.decide(mode, FILE, facts).choice());
    }

    @Test
    void reasonsSayWhy() {
        assertEquals("/var/run/utmp exists",
                SourceSelection.decide(SourceMode.AUTO, FILE, new Facts(true, true, true, null)).reason());
        assertEquals("/var/run/utmp is missing, and systemd-logind runs",
                SourceSelection.decide(SourceMode.AUTO, FILE, new Facts(false, true, true, null)).reason());
        Decision notInit = SourceSelection.decide(SourceMode.AUTO, FILE, new Facts(false, false, true, null));
        assertEquals("/var/run/utmp is missing, and systemd-logind is not running: systemd is not the init here"
                + " (no /run/systemd/system)", notInit.reason());
        Decision noDirs = SourceSelection.decide(SourceMode.LOGIND, FILE, new Facts(false, true, false, null));
        assertEquals("systemd-logind is not running (no /run/systemd/seats or /run/systemd/sessions)", noDirs.reason());
        Decision noLib = SourceSelection.decide(SourceMode.LOGIND, FILE, new Facts(false, true, true, NO_LIB));
        assertEquals("--source logind: " + NO_LIB, noLib.reason());
        Decision autoNoLib = SourceSelection.decide(SourceMode.AUTO, FILE, new Facts(false, true, true, NO_LIB));
        assertTrue(autoNoLib.reason().endsWith(NO_LIB), autoNoLib.reason());
    }

    @Test
    void modesParseAsTheFlagSpellsThem() {
        assertEquals(SourceMode.AUTO, SourceMode.parse("auto"));
        assertEquals(SourceMode.UTMP, SourceMode.parse("UTMP"));
        assertEquals(SourceMode.LOGIND, SourceMode.parse(" logind "));
        assertEquals(null, SourceMode.parse("systemd"));
        assertEquals("logind", SourceMode.LOGIND.label());
    }
}
