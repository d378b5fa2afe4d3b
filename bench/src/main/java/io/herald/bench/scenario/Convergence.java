package io.herald.bench.scenario;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.herald.bench.Json;
import io.herald.bench.coord.SlotFleet;
import io.herald.bench.target.Processes;
import java.io.IOException;

/**
 * Waits until every node's views of every presence channel ({@link PresenceViews}) list exactly
 * the members the bench holds. The caller freezes churn first, so the truth holds still; the bench
 * still lets dropped sessions reconnect, and reads the truth again on every poll.
 */
final class Convergence {
    private static final long POLL_MILLIS = 250;
    /** A presence slot between sessions (a reconnect under way) is waited for this long before the first poll. */
    private static final long SETTLE_MILLIS = 10_000;

    private Convergence() {}

    /**
     * Polls until the views agree or {@code timeoutSeconds} pass. {@code converge_s} counts from
     * {@code fromNanos} (the recovery: bus or node back, SIGCONT), {@code fault_to_converge_s} from
     * {@code faultNanos}. Ghosts and missing members are those of the last poll: zero when it converged.
     */
    static ObjectNode await(SlotFleet fleet, PresenceViews views, long fromNanos, long faultNanos, double timeoutSeconds)
            throws IOException {
        long deadline = System.nanoTime() + Math.round(timeoutSeconds * 1e9);
        SlotFleet.Presence truth = fleet.awaitPresenceSettled(SETTLE_MILLIS);
        int polls = 0;
        PresenceViews.Comparison last;
        while (true) {
            truth = polls == 0 ? truth : fleet.presence();
            last = PresenceViews.compare(views.read(), truth);
            polls++;
            if (last.agree() || System.nanoTime() > deadline) {
                break;
            }
            Processes.sleep(POLL_MILLIS);
        }
        long now = System.nanoTime();
        ObjectNode r = Json.object();
        r.put("converged", last.agree());
        if (last.agree()) {
            r.put("converge_s", Json.round3(Math.max(0, now - fromNanos) / 1e9));
            r.put("fault_to_converge_s", Json.round3((now - faultNanos) / 1e9));
        } else {
            r.putNull("converge_s");
            r.put("gave_up_after_s", Json.round3((now - fromNanos) / 1e9));
        }
        r.put("polls", polls);
        r.put("ghosts", last.ghosts().size());
        r.put("missing", last.missing().size());
        r.put("views_unanswered", last.unanswered());
        int members = truth.members().values().stream().mapToInt(java.util.Set::size).sum();
        r.put("members", members);
        if (!last.examples().isEmpty()) {
            ArrayNode ex = r.putArray("examples");
            last.examples().forEach(ex::add);
        }
        return r;
    }
}
