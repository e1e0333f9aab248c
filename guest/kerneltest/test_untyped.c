#include "test.h"
const test_case_t untyped_tests[] = {{NULL, NULL}};
