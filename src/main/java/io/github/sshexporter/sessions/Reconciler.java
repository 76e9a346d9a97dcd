package io.github.sshexporter.sessions;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Diffs each snapshot against the previous one. The counts it returns come from the snapshots
 * alone, never from adding up events, so a missed or merged event cannot leave them wrong: the
 * next snapshot makes them exact again.
 *
 * <p>Two ways in: {@link #reconcile(List)} diffs a full list against the live multiset;
 * {@link #apply(List, List)} takes a source's own delta (what left and what came since its
 * previous snapshot) and costs only as much as the delta is long. Both keep the same state, so a
 * source may mix them (a full list after a read error, deltas after).
 */
public final class Reconciler {
    /** Live sessions, each with how many identical records hold it. */
    private Map<Session, Integer> live = new HashMap<>();
    private final Map<String, Integer> byRemote = new HashMap<>();
    private SortedMap<String, Integer> published = Collections.emptySortedMap();
    private boolean first = true;

    /**
     * What changed since the last call.
     *
     * @param opened           sessions present now and not before (a duplicate record counts twice)
     * @param closed           sessions present before and not now
     * @param sessionsByRemote live sessions per {@code remote_ip} label; labels with none are absent.
     *                         The very same object as last time when nothing changed.
     * @param initial          true for the first snapshot, whose sessions were open before we looked
     */
    public record Changes(List<Session> opened, List<Session> closed,
                          SortedMap<String, Integer> sessionsByRemote, boolean initial) {}

    /** Diffs the complete list of live sessions against the previous state. */
    public Changes reconcile(List<Session> sessions) {
        Map<Session, Integer> current = new HashMap<>(Math.max(16, sessions.size() * 2));
        for (Session s : sessions) {
            current.merge(s, 1, Integer::sum);
        }
        List<Session> opened = difference(current, live);
        List<Session> closed = difference(live, current);
        live = current;
        byRemote.clear();
        for (Session s : sessions) {
            byRemote.merge(s.remoteIp(), 1, Integer::sum);
        }
        return changes(opened, closed, !opened.isEmpty() || !closed.isEmpty());
    }

    /**
     * Applies a source's delta: {@code removed} left and {@code added} came since the previous
     * call. A session in both cancels out (a record rewritten unchanged, or one that moved).
     */
    public Changes apply(List<Session> removed, List<Session> added) {
        Map<Session, Integer> gone = new HashMap<>(Math.max(4, removed.size() * 2));
        for (Session s : removed) {
            gone.merge(s, 1, Integer::sum);
        }
        List<Session> opened = new ArrayList<>(added.size());
        for (Session s : added) {
            Integer n = gone.get(s);
            if (n == null) {
                opened.add(s);
            } else if (n == 1) {
                gone.remove(s); // cancelled by a removal of the same session
            } else {
                gone.put(s, n - 1);
            }
        }
        List<Session> closed = new ArrayList<>(gone.size());
        for (Map.Entry<Session, Integer> e : gone.entrySet()) {
            Session s = e.getKey();
            for (int i = 0; i < e.getValue(); i++) {
                Integer n = live.get(s);
                if (n == null) {
                    break; // not live: nothing to take away (a delta the reconciler never saw open)
                }
                if (n == 1) {
                    live.remove(s);
                } else {
                    live.put(s, n - 1);
                }
                byRemote.computeIfPresent(s.remoteIp(), (k, c) -> c == 1 ? null : c - 1);
                closed.add(s);
            }
        }
        for (Session s : opened) {
            live.merge(s, 1, Integer::sum);
            byRemote.merge(s.remoteIp(), 1, Integer::sum);
        }
        return changes(opened, closed, !opened.isEmpty() || !closed.isEmpty());
    }

    private Changes changes(List<Session> opened, List<Session> closed, boolean changed) {
        boolean initial = first;
        first = false;
        if (changed || initial) {
            published = Collections.unmodifiableSortedMap(new TreeMap<>(byRemote));
        }
        return new Changes(opened, closed, published, initial);
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
