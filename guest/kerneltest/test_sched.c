#include "test.h"
const test_case_t sched_tests[] = {{NULL, NULL}};
