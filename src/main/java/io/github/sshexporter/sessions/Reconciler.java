package io.github.sshexporter.sessions;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Diffs each full snapshot against the previous one. The counts it returns come from the
 * snapshot alone, never from adding up events, so a missed or merged event cannot leave them
 * wrong: the next snapshot makes them exact again.
 */
public final class Reconciler {
    private Map<Session, Integer> previous = Map.of();
    private boolean first = true;

    /**
     * What changed since the last call.
     *
     * @param opened           sessions present now and not before (a duplicate record counts twice)
     * @param closed           sessions present before and not now
     * @param sessionsByRemote live sessions per {@code remote_ip} label; labels with none are absent
     * @param initial          true for the first snapshot, whose sessions were open before we looked
     */
    public record Changes(List<Session> opened, List<Session> closed,
                          SortedMap<String, Integer> sessionsByRemote, boolean initial) {}

    public Changes reconcile(List<Session> sessions) {
        Map<Session, Integer> current = new HashMap<>(Math.max(16, sessions.size() * 2));
        SortedMap<String, Integer> byRemote = new TreeMap<>();
        for (Session s : sessions) {
            current.merge(s, 1, Integer::sum);
            byRemote.merge(s.remoteIp(), 1, Integer::sum);
        }
        List<Session> opened = difference(current, previous);
        List<Session> closed = difference(previous, current);
        boolean initial = first;
        first = false;
        previous = current;
        return new Changes(opened, closed, Collections.unmodifiableSortedMap(byRemote), initial);
    }

    /** Each session as many times as {@code a} holds it more often than {@code b}. */
    private static List<Session> difference(Map<Session, Integer> a, Map<Session, Integer> b) {
        List<Session> out = new ArrayList<>();
        for (Map.Entry<Session, Integer> e : a.entrySet()) {
            int extra = e.getValue() - b.getOrDefault(e.getKey(), 0);
            for (int i = 0; i < extra; i++) {
                out.add(e.getKey());
            }
        }
        return out;
    }
}
