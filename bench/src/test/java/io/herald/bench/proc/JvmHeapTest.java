package io.herald.bench.proc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class JvmHeapTest {
    @Test
    void sumsTheGenerationsOfTheSerialCollector() {
        String info = """
                29271:
                 def new generation   total 14784K, used 120K [0x0000000687400000, 0x0000000688400000, 0x0000000688400000)
                  eden space 13184K,   0% used [0x0000000687400000, 0x0000000687400000, 0x00000006880e0000)
                  from space 1600K,   0% used [0x0000000688270000, 0x0000000688270000, 0x0000000688400000)
                  to   space 1600K,   0% used [0x00000006880e0000, 0x00000006880e0000, 0x0000000688270000)
                 tenured generation   total 370688K, used 3505K [0x0000000688400000, 0x000000069ee00000, 0x0000000800000000)
                   the space 370688K,   0% used [0x0000000688400000, 0x000000068876c450, 0x000000068876c600, 0x000000069ee00000)
                 Metaspace       used 8948K, committed 9088K, reserved 1114112K
                  class space    used 1062K, committed 1152K, reserved 1048576K
                """;
        assertEquals(3625, JvmHeap.parseUsedKb(info).getAsLong());
    }

    @Test
    void readsG1AndZgcAndNothingElse() {
        assertEquals(17946, JvmHeap.parseUsedKb("""
                29375:
                 garbage-first heap   total 397312K, used 17946K [0x0000000687400000, 0x0000000800000000)
                  region size 4096K, 4 young (16384K), 0 survivors (0K)
                 Metaspace       used 8965K, committed 9216K, reserved 1114112K
                """).getAsLong());
        assertEquals(8 * 1024, JvmHeap.parseUsedKb(" ZHeap           used 8M, capacity 32M, max capacity 512M\n").getAsLong());
        assertTrue(JvmHeap.parseUsedKb("12: Could not attach").isEmpty());
    }
}
