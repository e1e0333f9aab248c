#include "test.h"
const test_case_t tcb_tests[] = {{NULL, NULL}};
