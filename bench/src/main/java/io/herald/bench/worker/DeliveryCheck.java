package io.herald.bench.worker;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Which accepted publishes each session should have received, and which it did.
 *
 * <p>A session is held to a publish when it was subscribed before the publish was sent and stayed
 * connected until {@code grace} after the publish was answered: a subscriber that closes a moment
 * after the answer may rightly miss it. A session that ended while its node was down (SIGKILL,
 * SIGSTOP: a {@link Dead} interval) is held only to what was answered {@code grace} before the node
 * went down, since it was not connected to a live node after that. A publish accepted while the
 * backend was down ({@code outage}) is promised only to the accepting node's own subscribers (the
 * README: "the node keeps serving its own clients"); its deliveries to other nodes are counted
 * apart, as not promised. Pure logic, no I/O: unit-tested.
 */
final class DeliveryCheck {
    /** Node {@code node} could not serve its clients from {@code from} to {@code to} (nanoTime). */
    record Dead(int node, long from, long to) {}

    /** Counts per phase (index = phase), and a few lost deliveries for the log. */
    record Result(long[] expected, long[] delivered, long[] expectedNotPromised, long[] deliveredNotPromised, long[] duplicates,
                  long duplicatesOfUnknownPublishes, long sessions, List<String> lostExamples) {}

    private static final int MAX_EXAMPLES = 5;

    private DeliveryCheck() {}

    static Result run(PublishTable log, List<Session> sessions, List<Dead> dead, long graceNanos, long endNanos, int phases) {
        int p = Math.max(1, phases);
        for (int i = 0; i < log.size; i++) {
            p = Math.max(p, log.phase[i] + 1);
        }
        long[] expected = new long[p];
        long[] delivered = new long[p];
        long[] expectedNp = new long[p];
        long[] deliveredNp = new long[p];
        long[] duplicates = new long[p];
        long unknownDuplicates = 0;
        List<String> examples = new ArrayList<>();

        Map<Integer, int[]> byChannel = byChannel(log);
        Map<Integer, Integer> indexOfSeq = new HashMap<>(log.size * 2);
        for (int i = 0; i < log.size; i++) {
            indexOfSeq.put(log.seq[i], i);
        }
        long checked = 0;
        for (Session s : sessions) {
            if (s.subscribedAt == 0) {
                continue;
            }
            checked++;
            long end = Math.min(s.closedAt, endNanos);
            if (s.closedAt != Long.MAX_VALUE) {
                for (Dead d : dead) {
                    if (d.node() == s.node && d.from() >= s.subscribedAt && s.closedAt >= d.from() && s.closedAt <= d.to() + graceNanos) {
                        end = Math.min(end, d.from());
                    }
                }
            }
            int[] publishes = byChannel.get(s.slot.channelIndex);
            if (publishes != null) {
                int first = firstSentAtOrAfter(log, publishes, s.subscribedAt);
                for (int k = first; k < publishes.length; k++) {
                    int i = publishes[k];
                    if (log.sent[i] > end) {
                        break;
                    }
                    if (log.ack[i] + graceNanos > end) {
                        continue;
                    }
                    boolean promised = !log.outage[i] || log.node[i] == s.node;
                    boolean got = s.received.contains(log.seq[i]);
                    int ph = log.phase[i];
                    if (promised) {
                        expected[ph]++;
                        if (got) {
                            delivered[ph]++;
                        }
                    } else {
                        expectedNp[ph]++;
                        if (got) {
                            deliveredNp[ph]++;
                        }
                    }
                    if (!got && promised && examples.size() < MAX_EXAMPLES) {
                        examples.add("seq " + log.seq[i] + " (phase " + ph + ", accepted by node " + log.node[i] + ") missing at "
                                + s.slot.channelName + " slot " + s.slot.index + " session " + s.gen + " on node " + s.node
                                + (s.closedAt == Long.MAX_VALUE ? "" : (s.closedByUs ? ", closed by the bench" : ", dropped")));
                    }
                }
            }
            for (int d = 0; d < s.duplicateCount(); d++) {
                Integer i = indexOfSeq.get(s.duplicate(d));
                if (i == null) {
                    unknownDuplicates++;
                } else {
                    duplicates[log.phase[i]]++;
                }
            }
        }
        return new Result(expected, delivered, expectedNp, deliveredNp, duplicates, unknownDuplicates, checked, examples);
    }

    /** Each channel's publishes, ordered by send time. */
    private static Map<Integer, int[]> byChannel(PublishTable log) {
        Map<Integer, List<Integer>> lists = new HashMap<>();
        for (int i = 0; i < log.size; i++) {
            lists.computeIfAbsent(log.channel[i], c -> new ArrayList<>()).add(i);
        }
        Map<Integer, int[]> arrays = new HashMap<>();
        lists.forEach((ch, list) -> {
            int[] a = list.stream().sorted((x, y) -> Long.compare(log.sent[x], log.sent[y])).mapToInt(Integer::intValue).toArray();
            arrays.put(ch, a);
        });
        return arrays;
    }

    private static int firstSentAtOrAfter(PublishTable log, int[] publishes, long nanos) {
        int lo = 0;
        int hi = publishes.length;
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (log.sent[publishes[mid]] < nanos) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    static long sum(long[] values) {
        return Arrays.stream(values).sum();
    }
}
