package io.github.sshexporter.sessions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class RefreshBudgetTest {
    private static final long MS = 1_000_000L;

    @Test
    void aFirstRefreshStartsAtOnce() {
        assertEquals(0, new RefreshBudget(5 * MS, 1_000).waitNanos(1_000));
    }

    @Test
    void closeChangesOnASmallFileAreNotPacedWithinTheBurst() {
        RefreshBudget b = new RefreshBudget(5 * MS, 0);
        long now = 0;
        for (int i = 0; i < 4; i++) { // 4 refreshes of 1 ms, 1 ms apart: 4 ms of a 5 ms burst
            assertEquals(0, b.waitNanos(now), "refresh " + i);
            b.spent(MS, now, now + MS);
            now += MS;
        }
    }

    @Test
    void withNoBurstTheGapIsShareMinusOneTimesTheLastCost() {
        RefreshBudget b = new RefreshBudget(0, 0);
        b.spent(10 * MS, 0, 10 * MS); // a 10 ms pass, all of it CPU
        // Refilled during the pass itself: 10 ms / 9 of its 10 ms cost.
        long wait = b.waitNanos(10 * MS);
        assertEquals((10 * MS - 10 * MS / RefreshBudget.SHARE) * RefreshBudget.SHARE, wait);
        assertTrue(b.waitNanos(10 * MS + wait - RefreshBudget.SHARE) > 0, "not a nanosecond early");
        assertEquals(0, b.waitNanos(10 * MS + wait));
    }

    @Test
    void anEmptiedBucketIsRefilledToZeroBeforeTheNextRefresh() {
        RefreshBudget b = new RefreshBudget(5 * MS, 0);
        b.spent(45 * MS, 0, 45 * MS); // a big file: 5 ms burst + 40 ms/9 refilled, the rest owed
        long owed = 45 * MS - 5 * MS - 45 * MS / RefreshBudget.SHARE;
        assertEquals(owed * RefreshBudget.SHARE, b.waitNanos(45 * MS));
    }

    @Test
    void underConstantChurnRefreshesTakeAtMostTheirShareOfACore() {
        long burst = 5 * MS;
        for (long cost : new long[] {MS / 10, MS, 40 * MS}) {
            RefreshBudget b = new RefreshBudget(burst, 0);
            long now = 0, used = 0;
            long end = 60_000 * MS;
            while (now < end) { // a change always pending: refresh as soon as allowed
                now += b.waitNanos(now);
                b.spent(cost, now, now + cost);
                now += cost;
                used += cost;
            }
            double share = (double) used / now;
            assertTrue(share <= 1.0 / RefreshBudget.SHARE + (double) (burst + cost) / now,
                    "cost " + cost + ": share " + share);
            assertTrue(share >= 0.9 / RefreshBudget.SHARE, "cost " + cost + ": paced too hard, share " + share);
        }
    }

    @Test
    void anHourIdleEarnsNoMoreThanTheBurst() {
        RefreshBudget b = new RefreshBudget(5 * MS, 0);
        long now = 3_600_000 * MS;
        assertEquals(0, b.waitNanos(now));
        b.spent(6 * MS, now, now); // 1 ms more than the burst
        assertEquals(MS * RefreshBudget.SHARE, b.waitNanos(now));
    }

    @Test
    void aClockThatDoesNotMoveOrANegativeCostChangesNothing() {
        RefreshBudget b = new RefreshBudget(5 * MS, 100);
        b.spent(-7, 50, 40); // earlier than the last reading, and a cost below zero
        assertEquals(0, b.waitNanos(50));
        b.spent(5 * MS, 100, 100);
        assertEquals(0, b.waitNanos(100));
        b.spent(1, 100, 100);
        assertEquals(RefreshBudget.SHARE, b.waitNanos(100));
    }
}
