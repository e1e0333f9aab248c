#include "test.h"
const test_case_t vspace_tests[] = {{NULL, NULL}};
