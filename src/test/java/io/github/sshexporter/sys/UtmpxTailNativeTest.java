package io.github.sshexporter.sys;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.sshexporter.testing.NativeTools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Logs appended by glibc's own updwtmpx(), followed across rotation and truncation. */
class UtmpxTailNativeTest {
    @TempDir
    Path dir;

    private static List<String> poll(UtmpxTail tail) {
        List<String> out = new ArrayList<>();
        UtmpxTail.Result r = tail.poll(rec -> out.add(rec.type() + " " + rec.line() + " " + rec.user() + " " + rec.seconds()));
        assertEquals(UtmpxTail.Status.OK, r.status(), r.detail());
        return out;
    }

    /** A btmp in the temp dir holding a failed login from 203.0.113.9 for each user, written by glibc. */
    private Path btmpWithFailures(String... users) throws Exception {
        Path btmp = Files.createFile(dir.resolve("btmp"));
        for (String user : users) {
            NativeTools.utmp(btmp, "failed", user, "203.0.113.9");
        }
        return btmp;
    }

    @Test
    void appendedRecordsOnlyAndExactlyOnce() throws Exception {
        Path wtmp = dir.resolve("wtmp");
        Files.createFile(wtmp);
        NativeTools.utmp(wtmp, "wlogin", "pts/1", "old", "1.1.1.1", "1.1.1.1", "1", "100");
        UtmpxTail tail = UtmpxTail.bind(wtmp);
        assertEquals(List.of("7 pts/1 old 100"), poll(tail));
        assertEquals(List.of(), poll(tail), "nothing new");
        NativeTools.utmp(wtmp, "wlogin", "pts/2", "alice", "2.2.2.2", "2.2.2.2", "2", "200");
        NativeTools.utmp(wtmp, "wlogout", "pts/2", "260");
        assertEquals(List.of("7 pts/2 alice 200", "8 pts/2  260"), poll(tail));
    }

    @Test
    void rotationByRenameStartsTheNewFileFromItsBeginning() throws Exception {
        Path wtmp = dir.resolve("wtmp");
        Files.createFile(wtmp);
        NativeTools.utmp(wtmp, "wlogin", "pts/1", "a", "-", "-", "1", "100");
        UtmpxTail tail = UtmpxTail.bind(wtmp);
        poll(tail);
        Files.move(wtmp, dir.resolve("wtmp.1"));
        Files.createFile(wtmp);
        NativeTools.utmp(wtmp, "wlogin", "pts/9", "b", "-", "-", "9", "900");
        List<String> out = new ArrayList<>();
        UtmpxTail.Result r = tail.poll(rec -> out.add(rec.user()));
        assertTrue(r.rotated());
        assertEquals(List.of("b"), out);
    }

    @Test
    void recordsAppendedToTheOldFileJustBeforeARotationAreReadFirst() throws Exception {
        Path wtmp = dir.resolve("wtmp");
        Files.createFile(wtmp);
        UtmpxTail tail = UtmpxTail.bind(wtmp);
        poll(tail);
        // A login appended and rotated away before the tail looked: it must not be lost.
        NativeTools.utmp(wtmp, "wlogin", "pts/1", "late", "-", "-", "1", "100");
        Files.move(wtmp, dir.resolve("wtmp.1"), StandardCopyOption.REPLACE_EXISTING);
        Files.createFile(wtmp);
        NativeTools.utmp(wtmp, "wlogin", "pts/2", "new", "-", "-", "2", "200");
        List<String> out = new ArrayList<>();
        UtmpxTail.Result r = tail.poll(rec -> out.add(rec.user()));
        assertTrue(r.rotated());
        assertEquals(List.of("late", "new"), out, "the old file to its end, then the new one from its start");
        assertEquals(List.of(), poll(tail), "and nothing twice");
    }

    @Test
    void aLogRemovedIsReadToItsEndAndANewOneFromItsStart() throws Exception {
        Path wtmp = dir.resolve("wtmp");
        Files.createFile(wtmp);
        UtmpxTail tail = UtmpxTail.bind(wtmp);
        poll(tail);
        NativeTools.utmp(wtmp, "wlogin", "pts/1", "last", "-", "-", "1", "100");
        Files.delete(wtmp);
        List<String> out = new ArrayList<>();
        assertEquals(UtmpxTail.Status.MISSING, tail.poll(rec -> out.add(rec.user())).status());
        assertEquals(List.of("last"), out);
        Files.createFile(wtmp);
        NativeTools.utmp(wtmp, "wlogin", "pts/2", "first", "-", "-", "2", "200");
        assertEquals(List.of("7 pts/2 first 200"), poll(tail));
    }

    @Test
    void aFileRewrittenInPlaceAndGrownPastTheOffsetIsReadFromItsStart() throws Exception {
        Path wtmp = dir.resolve("wtmp");
        Files.createFile(wtmp);
        NativeTools.utmp(wtmp, "wlogin", "pts/1", "a", "-", "-", "1", "100");
        UtmpxTail tail = UtmpxTail.bind(wtmp);
        poll(tail);
        // copytruncate, then two records appended before the tail looks: the size alone would not tell.
        Files.write(wtmp, new byte[0], StandardOpenOption.TRUNCATE_EXISTING);
        NativeTools.utmp(wtmp, "wlogin", "pts/2", "b", "-", "-", "2", "200");
        NativeTools.utmp(wtmp, "wlogin", "pts/3", "c", "-", "-", "3", "300");
        List<String> out = new ArrayList<>();
        UtmpxTail.Result r = tail.poll(rec -> out.add(rec.user()));
        assertTrue(r.rotated());
        assertEquals(List.of("b", "c"), out);
    }

    @Test
    void copyTruncateRotationIsSeenAsTruncation() throws Exception {
        Path btmp = btmpWithFailures("root", "root", "root");
        UtmpxTail tail = UtmpxTail.bind(btmp);
        assertEquals(3, poll(tail).size());
        Files.write(btmp, new byte[0], StandardOpenOption.TRUNCATE_EXISTING);
        NativeTools.utmp(btmp, "failed", "admin", "203.0.113.9");
        assertEquals(1, poll(tail).size());
    }

    @Test
    void aHalfWrittenRecordWaitsForTheRest() throws Exception {
        Path staging = dir.resolve("staging");
        Files.createFile(staging);
        NativeTools.utmp(staging, "failed", "root", "203.0.113.9");
        byte[] record = Files.readAllBytes(staging);
        Path btmp = dir.resolve("btmp");
        Files.write(btmp, java.util.Arrays.copyOf(record, 100));
        UtmpxTail tail = UtmpxTail.bind(btmp);
        assertEquals(0, poll(tail).size());
        Files.write(btmp, java.util.Arrays.copyOfRange(record, 100, record.length), StandardOpenOption.APPEND);
        assertEquals(List.of("6 ssh:notty root " + (poll(UtmpxTail.bind(staging)).get(0).split(" ")[3])), poll(tail));
    }

    @Test
    void missingThenCreatedFileIsReadFromItsStart() throws Exception {
        Path btmp = dir.resolve("btmp");
        UtmpxTail tail = UtmpxTail.bind(btmp);
        assertEquals(UtmpxTail.Status.MISSING, tail.poll(r -> { }).status());
        Path staging = dir.resolve("b.new");
        Files.createFile(staging);
        NativeTools.utmp(staging, "failed", "x", "203.0.113.1");
        Files.move(staging, btmp, StandardCopyOption.ATOMIC_MOVE);
        assertEquals(1, poll(tail).size());
    }

    @Test
    void aRecordThatMakesTheSinkThrowIsNotDeliveredAgain() throws Exception {
        Path btmp = btmpWithFailures("user0", "user1", "user2");
        UtmpxTail tail = UtmpxTail.bind(btmp);
        List<String> seen = new ArrayList<>();
        try {
            tail.poll(r -> {
                seen.add(r.user());
                if (r.user().equals("user1")) {
                    throw new IllegalStateException("sink fault");
                }
            });
        } catch (IllegalStateException expected) {
            // the fault reaches the caller, which reports it
        }
        tail.poll(r -> seen.add(r.user()));
        assertEquals(List.of("user0", "user1", "user2"), seen, "each record exactly once");
    }

    @Test
    void skipToEndReadsNothingAndFollowsFromThere() throws Exception {
        Path btmp = btmpWithFailures("old0", "old1", "old2", "old3", "old4");
        UtmpxTail tail = UtmpxTail.bind(btmp);
        assertEquals(UtmpxTail.Status.OK, tail.skipToEnd().status());
        NativeTools.utmp(btmp, "failed", "new", "203.0.113.9");
        assertEquals(List.of("6 ssh:notty new"), poll(tail).stream().map(l -> l.substring(0, l.lastIndexOf(' '))).toList());
    }
}
