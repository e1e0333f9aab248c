/* The kernel test suite: a root server that runs every test and reports
 * each as "TEST <name> PASS" or "TEST <name> FAIL <detail>", then
 * "SUMMARY <passed> passed <failed> failed" and halts. */
#include <sel4platsupport/bootinfo.h>

#include "test.h"

char test_failure[256];

static const test_case_t *const suites[] = {ipc_tests,    cnode_tests, untyped_tests, vspace_tests, fault_tests,
                                            notification_tests, sched_tests, tcb_tests, error_tests, fuzz_tests};

int main(void)
{
    env_init(platsupport_get_bootinfo());
    int passed = 0, failed = 0;
    for (unsigned s = 0; s < sizeof(suites) / sizeof(suites[0]); s++) {
        for (const test_case_t *t = suites[s]; t->name; t++) {
            const char *failure = t->run();
            if (failure) {
                printf("TEST %s FAIL %s\n", t->name, failure);
                failed++;
            } else {
                printf("TEST %s PASS\n", t->name);
                passed++;
            }
        }
    }
    printf("SUMMARY %d passed %d failed\n", passed, failed);
    seL4_DebugHalt();
    return 0;
}
