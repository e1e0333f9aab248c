/* The kernel's system-call surface under random invocations, seeded from
 * outside: RDRAND gives the seed (x64sim --rdrand-seed=N decides it), the
 * fuzz suite of the kernel tests runs with it (random invocations with
 * random arguments on a sandbox of capabilities, then random IPC among
 * three threads), each ends with its self-check (the kernel still retypes,
 * maps, sends and receives), and the root server prints
 * "SUMMARY <passed> passed <failed> failed" and halts.
 * tests/fuzz:kernel_fuzzer drives it. */
#include <sel4platsupport/bootinfo.h>

#include "test.h"

char test_failure[256];

static seL4_Word random_seed(void)
{
    seL4_Word seed;
    unsigned char ok;
    do { /* SDM vol. 2B RDRAND: CF = 0 means "try again" */
        __asm__ volatile("rdrand %0; setc %1" : "=r"(seed), "=qm"(ok) : : "cc");
    } while (!ok);
    return seed;
}

int main(void)
{
    env_init(platsupport_get_bootinfo());
    const seL4_Word seed = random_seed();
    fuzz_set_seed(seed);
    printf("SYSFUZZ seed %#lx\n", seed);
    int passed = 0, failed = 0;
    for (const test_case_t *t = fuzz_tests; t->name; t++) {
        const char *failure = t->run();
        if (failure) {
            printf("TEST %s FAIL %s\n", t->name, failure);
            failed++;
        } else {
            printf("TEST %s PASS\n", t->name);
            passed++;
        }
    }
    printf("SUMMARY %d passed %d failed\n", passed, failed);
    seL4_DebugHalt();
    return 0;
}
