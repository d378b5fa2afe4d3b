package io.herald.bench.worker;

import java.util.Arrays;

/**
 * The sequence numbers one session received, kept sorted in an int array. Publishes arrive nearly
 * in order, so an add is almost always an append; a session of a long soak holds a few hundred
 * numbers, so this costs a fraction of a BitSet over the whole run's sequence space.
 */
final class SeqSet {
    private int[] values = new int[8];
    private int size;

    /** Adds {@code seq}; false if it was already there (a duplicate delivery). */
    boolean add(int seq) {
        if (size == 0 || seq > values[size - 1]) {
            grow();
            values[size++] = seq;
            return true;
        }
        int i = Arrays.binarySearch(values, 0, size, seq);
        if (i >= 0) {
            return false;
        }
        int at = -i - 1;
        grow();
        System.arraycopy(values, at, values, at + 1, size - at);
        values[at] = seq;
        size++;
        return true;
    }

    boolean contains(int seq) {
        return Arrays.binarySearch(values, 0, size, seq) >= 0;
    }

    int size() {
        return size;
    }

    /** Gives back the spare capacity once the session is over (closed sessions are kept until the check). */
    void trim() {
        if (values.length > size) {
            values = Arrays.copyOf(values, Math.max(1, size));
        }
    }

    private void grow() {
        if (size == values.length) {
            values = Arrays.copyOf(values, values.length * 2);
        }
    }
}
